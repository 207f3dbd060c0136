"""What every tracker adapter must offer, checked at run time: the protocol's members, with its signatures."""

import inspect

from postmortem_actions.tools.trackers.base import TrackerAdapter, TrackerConfig


def assert_implements_the_protocol(adapter: object, name: str) -> None:
    """`adapter` has every method of `TrackerAdapter` with the same parameters, and the protocol's attributes."""
    assert getattr(adapter, "name", None) == name
    assert isinstance(getattr(adapter, "config", None), TrackerConfig)
    methods = [m for m, value in vars(TrackerAdapter).items() if inspect.isfunction(value) and not m.startswith("_")]
    assert {"create", "fetch", "ref_from_url", "identity", "close"} <= set(methods)
    for method in methods:
        expected = list(inspect.signature(getattr(TrackerAdapter, method)).parameters)[1:]  # without self
        actual = getattr(adapter, method, None)
        assert callable(actual), method
        assert list(inspect.signature(actual).parameters) == expected, method
