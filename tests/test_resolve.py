from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kg_builder.resolve import normalise, resolve

BASE = "https://example.org/id/"


def labels(res, kind):
    return sorted(e.label for e in res.entities.values() if e.kind.value == kind)


def test_officials_merge_across_spellings_order_initials_and_suffixes(read_text):
    rs = read_text(
        "US Secretary of State Antony Blinken spoke. Japanese Foreign Minister Hayashi Yoshimasa listened.",
        "Secretary of State Anthony Blinken and Secretary of Defense Lloyd Austin met Foreign Minister Yoshimasa Hayashi.",
        "Secretary of Defense Lloyd J. Austin III and Secretary of State Antony J. Blinken hosted Foreign Minister Yoshimasa Hayashi. Blinken said.",
    )
    res = resolve(rs, BASE)
    assert labels(res, "official") == [
        "Antony Blinken",
        "Lloyd Austin",
        "Yoshimasa Hayashi",
    ]
    blinken = res.entities[BASE + "official/antony-blinken"]
    assert {"Anthony Blinken", "Antony J. Blinken", "Blinken"} <= set(
        blinken.alt_labels
    )


def test_position_country_comes_from_another_mention_of_the_same_official(read_text):
    rs = read_text(
        "US Secretary of State Antony Blinken spoke.",
        "Secretary of State Antony Blinken spoke.",
    )
    res = resolve(rs, BASE)
    assert labels(res, "position") == ["Secretary of State of the United States"]


def test_two_people_sharing_a_surname_stay_apart(read_text):
    rs = read_text(
        "US Secretary of Defense Lloyd Austin met Ambassador Jane Austin. Later Austin left.",
    )
    res = resolve(rs, BASE)
    assert labels(res, "official") == ["Jane Austin", "Lloyd Austin"]


def test_units_differing_only_in_ordinal_stay_apart(read_text):
    rs = read_text("The 12th Marine Regiment and the 13th Marine Regiment trained.")
    res = resolve(rs, BASE)
    assert labels(res, "unit") == ["12th Marine Regiment", "13th Marine Regiment"]


def test_machine_translated_unit_name_resolves_to_the_littoral_regiment(read_text):
    rs = read_text(
        "It will transform the 12th Marines into a smaller unit, the 12th Coastal Marines.",
        "The 12th Marine Littoral Regiment will be ready by 2025.",
    )
    res = resolve(rs, BASE)
    assert labels(res, "unit") == [
        "12th Marine Littoral Regiment",
        "12th Marine Regiment",
    ]
    facts = {
        (f.subject.rsplit("/", 1)[1], f.predicate, f.object.rsplit("/", 1)[1])
        for f in res.facts
    }
    assert (
        "12th-marine-regiment",
        "reorganizedInto",
        "12th-marine-littoral-regiment",
    ) in facts


def test_treaty_descriptor_resolves_to_the_treaty_of_the_articles_parties(read_text):
    rs = read_text(
        "The United States and Japan met. Japan and the United States said attacks in space "
        "could invoke Article Five of their mutual defense treaty."
    )
    res = resolve(rs, BASE)
    assert labels(res, "treaty") == ["US-Japan Security Treaty"]
    assert labels(res, "treaty-article") == [
        "Article V of the US-Japan Security Treaty"
    ]


def test_base_resolves_by_name_stem_despite_wrong_facility_type(read_text):
    rs = read_text("Jets are based at the U.S. Iwakuni Air Force Base.")
    res = resolve(rs, BASE)
    (base,) = [e for e in res.entities.values() if e.kind.value == "base"]
    assert base.label == "Marine Corps Air Station Iwakuni"
    assert base.alt_labels == ("Iwakuni Air Force Base",)


def test_iris_are_deterministic(read_text):
    a = resolve(
        read_text("US Secretary of State Antony Blinken spoke on Okinawa."), BASE
    )
    b = resolve(
        read_text("US Secretary of State Antony Blinken spoke on Okinawa."), BASE
    )
    assert sorted(a.entities) == sorted(b.entities)


def test_normalise():
    assert (
        normalise("The U.S.-Japan  Security\u00a0Treaty") == "us-japan security treaty"
    )


def test_titled_surname_alone_is_an_official_and_offices_keep_namesakes_apart(
    read_text,
):
    rs = read_text(
        "President Obama spoke. Secretary Kerry hosted Foreign Minister Kim.",
        "Later President Obama left. Defense Minister Kim stayed.",
    )
    res = resolve(rs, BASE)
    assert labels(res, "official") == ["Kerry", "Kim", "Kim", "Obama"]


def test_family_name_first_surname_joins_its_full_name(read_text):
    rs = read_text(
        "Japanese Defense Minister Kishi Nobuo will attend.",
        "Minister of Defense Kishi held talks.",
    )
    res = resolve(rs, BASE)
    assert labels(res, "official") == ["Kishi Nobuo"]


def test_position_country_from_the_lexicon_when_unstated(read_text):
    rs = read_text("Secretary of Defense Lloyd J. Austin III spoke.")
    res = resolve(rs, BASE)
    assert labels(res, "position") == ["Secretary of Defense of the United States"]


def test_unit_abbreviation_and_3d_ordinal_resolve_to_the_full_name(read_text):
    rs = read_text(
        "The 3d MLR formed. The 3rd Marine Littoral Regiment is in Hawaii. "
        "The 13th MLR is another unit."
    )
    res = resolve(rs, BASE)
    assert labels(res, "unit") == ["13th MLR", "3rd Marine Littoral Regiment"]


def test_base_named_with_and_without_facility_type_is_one(read_text):
    rs = read_text("MCB Camp Blaz opened. Camp Blaz is on Guam. Camp Foster is not.")
    res = resolve(rs, BASE)
    assert labels(res, "base") == ["Camp Foster", "MCB Camp Blaz"]


def test_treaty_title_short_name_and_initials_are_one_treaty(read_text):
    rs = read_text(
        "The Agreement between Japan and Australia concerning reciprocal access "
        "(“Japan-Australia Reciprocal Access Agreement”, or “Japan-Australia RAA”) was "
        "signed. The Japan-Australia RAA is an agreement on access."
    )
    res = resolve(rs, BASE)
    assert labels(res, "treaty") == ["Japan-Australia Reciprocal Access Agreement"]


def test_generic_treaty_name_and_parties_from_discourse(read_text):
    rs = read_text(
        "The United States and the Philippines met. The two sides reaffirmed their "
        "commitment to the Mutual Defense Treaty.",
        "South Korea and the United States said the Mutual Defense Treaty holds.",
    )
    res = resolve(rs, BASE)
    assert labels(res, "treaty") == [
        "US-Philippines Mutual Defense Treaty",
        "US-ROK Mutual Defense Treaty",
    ]
    parties = {
        (f.subject.rsplit("/", 1)[1], f.rule, f.confidence)
        for f in res.facts
        if f.predicate == "partyTo" and f.article_id == "a0"
    }
    assert parties == {
        ("philippines", "treaty-parties-discourse", 0.6),
        ("united-states", "treaty-parties-discourse", 0.6),
    }


# --- definite descriptions of islands, bases and units ---------------------------


def described(res, text: str) -> list[tuple[str, str]]:
    """(description, IRI tail) of every description the resolution kept."""
    return [
        (
            text[m.span.begin : m.span.end],
            res.mention_iris[(m.article_id, m.span.begin, m.span.end)].rsplit("/", 1)[
                -1
            ],
        )
        for m in res.mentions
        if m.rule.endswith("-descriptor")
    ]


def test_the_island_is_the_nearest_island_named_just_before(read_text):
    text = (
        "China has stepped up pressure on Taiwan. Beijing claims the island. "
        "Japan also watches the Senkaku Islands. Beijing claims the disputed islands too."
    )
    res = resolve(read_text(text), BASE)
    assert described(res, text) == [
        ("island", "taiwan"),  # the nearest *singular* island
        ("disputed islands", "senkaku-islands"),
    ]


def test_a_demonym_or_an_alias_in_the_description_names_the_island(read_text):
    text = (
        "Most Marines in Japan are on the main Okinawan island, near Taiwan. "
        "Tokyo is fortifying Japan's southwestern islands."
    )
    res = resolve(read_text(text), BASE)
    assert described(res, text) == [
        ("main Okinawan island", "okinawa-island"),
        ("southwestern islands", "nansei-islands"),
    ]
    okinawa = res.entities[BASE + "island/okinawa-island"]
    assert (
        "main Okinawan island" not in okinawa.alt_labels
    )  # descriptions are no labels


def test_modifiers_prefer_the_island_introduced_with_them(read_text):
    text = (
        "Japan will build airstrips on the small southern island of Mageshima, "
        "off the southernmost main island of Kyushu. "
        "Training will move to the southern island."
    )
    res = resolve(read_text(text), BASE)
    assert described(res, text) == [("southern island", "mageshima")]


def test_an_island_in_apposition_or_as_a_modifier_is_no_description(read_text):
    text = "Guam is in the Pacific. The island of Guam hosts Camp Blaz, and the island chain matters."
    res = resolve(read_text(text), BASE)
    assert described(res, text) == []


def test_a_description_with_no_antecedent_nearby_names_nothing(read_text):
    text = (
        "Marines trained on Okinawa. The exercise lasted a week. Ships sailed. "
        "Aircraft flew. Officials spoke. Reporters asked about the island."
    )
    res = resolve(read_text(text), BASE)
    assert described(res, text) == []


def test_the_base_and_the_unit_refer_back(read_text):
    text = (
        "The 12th Marine Regiment became the 12th Marine Littoral Regiment at Camp Hansen. "
        "The unit will stay at the base, and the current Marine Regiment will be gone."
    )
    res = resolve(read_text(text), BASE)
    assert described(res, text) == [
        ("unit", "12th-marine-littoral-regiment"),  # the nearest unit
        ("base", "camp-hansen"),
        ("current Marine Regiment", "12th-marine-regiment"),  # the exact match
    ]


# --- clustering officials' names: indexed, and the same as trying everyone --------

GIVEN = ["Antony", "Anthony", "Lloyd", "Joe", "Joseph", "Yoshimasa", "Jane", "Jan"]
FAMILY = ["Blinken", "Austin", "Hayashi", "Biden", "Kishida", "Austen"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(GIVEN + FAMILY),
            st.sampled_from(GIVEN + FAMILY),
            st.booleans(),
        ),
        max_size=30,
    )
)
def test_indexed_clustering_matches_trying_every_person(names):
    """_Officials.add_full looks only at people sharing a last or first word (it
    tried every person per mention: quadratic, and 10,000 articles took hours);
    it must still pick the first compatible person in creation order."""
    from kg_builder.lexicon import load_lexicon
    from kg_builder.resolve import _Officials

    off = _Officials(load_lexicon())
    naive: list[list[tuple[str, ...]]] = []
    for given_, family, titled in names:
        name = (given_, family)
        got = off.add_full(name, titled)
        for cluster in naive:
            if any(off.compatible(name, n) for n in cluster):
                cluster.append(name)
                break
        else:
            naive.append([name])
        assert got.names == next(c for c in naive if c[-1] is name)
    assert [p.names for p in off.people] == naive
