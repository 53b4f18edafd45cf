import pytest

from stochgen._base import BaseModel, check_is_fitted
from stochgen.exceptions import NotFittedError


class Toy(BaseModel):
    _fitted_attributes = ("mean_",)

    def __init__(self, *, shift=0.0, label="x"):
        self.shift = shift
        self.label = label

    def fit(self, x):
        self.mean_ = sum(x) / len(x) + self.shift
        return self


def test_params_and_repr():
    toy = Toy(shift=1.0)
    assert toy.get_params() == {"shift": 1.0, "label": "x"}
    assert repr(toy) == "Toy(shift=1.0)"
    toy.set_params(label="y")
    assert toy.label == "y"
    with pytest.raises(ValueError, match="no setting 'nope'"):
        toy.set_params(nope=1)


def test_clone_is_unfitted_with_equal_settings():
    toy = Toy(shift=2.0).fit([1.0, 3.0])
    twin = toy.clone()
    assert twin.get_params() == toy.get_params()
    with pytest.raises(NotFittedError, match="This Toy instance is not fitted yet"):
        check_is_fitted(twin)
    check_is_fitted(toy)


def test_to_dict_round_trip():
    toy = Toy(shift=1.0).fit([1.0, 2.0])
    again = Toy.from_dict(toy.to_dict())
    assert again.mean_ == toy.mean_ and again.shift == 1.0
    assert Toy.from_dict(Toy().to_dict()).to_dict()["state"] is None
