"""Table synthesis: schema, column transforms, CopulaSynthesizer, constraints, conditions."""
