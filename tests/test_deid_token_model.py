"""The guard's token model: it ships, it is what the training makes from the development text, it
finds names and places the rules miss, and it learns context, never the names themselves."""

from __future__ import annotations

from echo_desktop.cases import deid
from echo_desktop.cases.deid.gazetteers import gazetteers
from echo_desktop.cases.deid.token_model import LABELS, find_model_tokens, token_model
from echo_desktop.cases.deid.token_model import features as token_features
from echo_desktop.cases.deid.words import words
from echo_desktop.cases.findings import PhiKind
from testkit.deid_training import SHIPPED, development_entries, model_bytes

# Written for this test, in no development file: names the rules have no cue for.
UNSEEN = "Hodan Abdi (via interpreter) called about her refill."
UNSEEN_NAME = "Hodan Abdi"


def test_the_shipped_model_is_what_training_makes_from_the_development_text() -> None:
    # A change to the development text or to the features must come with a retrained model
    # (scripts/train_deid_model.py), or this fails.
    raw, scored, kept = model_bytes(development_entries())
    assert scored > 5000 and kept > 1000
    assert raw == SHIPPED.read_bytes()


def test_the_model_finds_a_name_no_rule_finds() -> None:
    rules = [d for d in deid._DETECTORS if d is not find_model_tokens]
    ruled = [f for detect in rules for f in detect(UNSEEN)]
    start = UNSEEN.index(UNSEEN_NAME)
    end = start + len(UNSEEN_NAME)
    assert not any(f.start < end and start < f.end for f in ruled)
    learnt = list(find_model_tokens(UNSEEN))
    assert [(f.kind, f.text) for f in learnt] == [(PhiKind.NAME, UNSEEN_NAME)]
    assert any(f.text == UNSEEN_NAME for f in deid.scan(UNSEEN))  # and the guard reports it


def test_the_model_flags_nothing_in_clinical_look_alikes() -> None:
    text = (
        "Graves' disease on methimazole; Parkinson's on carbidopa-levodopa 25/100 TID. Glasgow Coma "
        "Scale 15, Child-Pugh B, MELD 14. Started Ozempic 0.5 mg weekly; Humira held. Down syndrome."
    )
    assert list(find_model_tokens(text)) == []


def test_a_name_is_never_a_feature_only_its_shape_and_context() -> None:
    gaz = gazetteers()
    text = "Seen with Kwabena Ofori-Atta in clinic."
    tokens = words(text)
    for i in range(len(tokens)):
        feats = token_features(text, tokens, i, gaz)
        assert not [f for f in feats if "kwabena" in f or "ofori" in f]


def test_the_model_file_reads_with_the_guards_labels() -> None:
    model = token_model()
    scores = model.scores(["bias"])
    assert len(scores) == len(LABELS)


def test_training_can_leave_files_out_to_measure_on_text_it_did_not_learn() -> None:
    everything = development_entries()
    without = development_entries(("fresh_1",))
    left_out = [e for e in everything if e.source.startswith("fresh_1.jsonl:")]
    assert left_out
    assert len(without) == len(everything) - len(left_out)
    assert not any(e.source.startswith("fresh_1.jsonl:") for e in without)
    assert any(e.source.startswith("fresh_10.jsonl:") for e in without)  # only the file named
