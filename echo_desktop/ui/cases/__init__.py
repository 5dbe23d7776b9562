"""The case screens: the case form with its de-identification marks, "My cases", and the review.

They read cases through a `CaseSource` port and take the guard as an injected callable; they
never import the network, the store or the guard's implementation.
"""
