from __future__ import annotations

from kg_builder.model import Kind


def kinds(readings, kind):
    return [m.text for r in readings for m in r.mentions if m.kind is kind]


def test_title_before_name_gives_official_position_and_country(read_text):
    (r,) = read_text("Japanese Defense Minister Yasukazu Hamada met reporters.")
    assert kinds([r], Kind.OFFICIAL) == ["Yasukazu Hamada"]
    assert kinds([r], Kind.POSITION) == ["Defense Minister"]
    pos = next(m for m in r.mentions if m.kind is Kind.POSITION)
    assert pos.attr("country") == "japan"
    preds = {(x.subject.text, x.predicate) for x in r.relations}
    assert ("Yasukazu Hamada", "holdsPosition") in preds


def test_appositive_title(read_text):
    (r,) = read_text("Yoshimasa Hayashi, Japan's foreign minister, spoke.")
    assert kinds([r], Kind.OFFICIAL) == ["Yoshimasa Hayashi"]
    assert kinds([r], Kind.POSITION) == ["foreign minister"]


def test_name_suffixes_and_initials_stay_in_the_mention(read_text):
    (r,) = read_text(
        "Secretary of Defense Lloyd J. Austin III arrived. Austin said so."
    )
    assert kinds([r], Kind.OFFICIAL) == ["Lloyd J. Austin III", "Austin"]


def test_unit_names_by_convention_including_missing_space(read_text):
    (r,) = read_text(
        "It will be reorganized into the12th Marine Littoral Regiment. The 31st Marine "
        "Expeditionary Unit and the 17th Special Operations Squadron trained."
    )
    assert kinds([r], Kind.UNIT) == [
        "12th Marine Littoral Regiment",
        "31st Marine Expeditionary Unit",
        "17th Special Operations Squadron",
    ]


def test_bases_islands_treaties_and_articles(read_text):
    (r,) = read_text(
        "An MQ-9 unit will deploy to Kanoya Air Base in southern Japan. Drills on the "
        "island of Mageshima and the Senkaku Islands. Article V of the U.S.-Japan "
        "Security Treaty covers space."
    )
    assert "Kanoya Air Base" in kinds([r], Kind.BASE)
    assert {"Mageshima", "Senkaku Islands"} <= set(kinds([r], Kind.ISLAND))
    assert kinds([r], Kind.TREATY) == ["U.S.-Japan Security Treaty"]
    assert kinds([r], Kind.TREATY_ARTICLE) == ["Article V"]
    rels = {
        (x.subject.text, x.predicate, getattr(x.object, "text", x.object))
        for x in r.relations
    }
    assert ("Kanoya Air Base", "locatedIn", "Japan") in rels
    assert ("U.S.-Japan Security Treaty", "hasArticle", "Article V") in rels
    assert ("Article V", "coversDomain", "Space") in rels


def test_unknown_base_generalises_from_naming(read_text):
    (r,) = read_text("Aircraft moved to Nyutabaru Air Base and to Camp Kengun.")
    assert kinds([r], Kind.BASE) == ["Nyutabaru Air Base", "Camp Kengun"]


def test_reorganized_into_with_cue_before_first_unit(read_text):
    (r,) = read_text(
        "The plan will transform the 12th Marine Regiment into the 12th Marine Littoral Regiment."
    )
    assert [
        (x.subject.text, x.object.text)
        for x in r.relations
        if x.predicate == "reorganizedInto"
    ] == [("12th Marine Regiment", "12th Marine Littoral Regiment")]


def test_comma_list_is_not_location(read_text):
    (r,) = read_text("It watched Taiwan, US Secretary of Defense Lloyd Austin said.")
    assert not [x for x in r.relations if x.predicate == "locatedIn"]


def test_numeric_claims(read_text):
    (r,) = read_text(
        "In total, there are about 54,000 US troops in Japan. Japan hosts 18,000 US Marines."
    )
    got = sorted((c.value, c.category, c.qualifier, c.subject.text) for c in r.claims)
    assert got == [
        (18000, "marines", None, "Japan"),
        (54000, "troops", "about", "Japan"),
    ]


def test_unit_size_range(read_text):
    (r,) = read_text(
        "It becomes the 12th Marine Littoral Regiment. The regiment will consist of "
        "between 1,800 and 2,000 Marines."
    )
    (c,) = r.claims
    assert (c.minimum, c.maximum, c.qualifier, c.subject.text) == (
        1800,
        2000,
        "between",
        "regiment",
    )


def test_photo_credit_is_not_an_official(read_text):
    from kg_builder.articles import read_articles  # noqa: F401  (chrome is applied by the reader)
    from kg_builder.chrome import find_chrome
    from kg_builder.extract import mentions_from_doc

    text = "A caption about drills.\nPhoto By: Army Maj. Elias Chelala\n"
    import dataclasses

    from kg_builder.extract import build_nlp
    from kg_builder.model import Article

    nlp = build_nlp("blank")
    art = Article(id="x", text=text, source="x.txt")
    art = dataclasses.replace(art, excluded=find_chrome(text))
    mentions = mentions_from_doc(art, nlp(text))
    assert not [m for m in mentions if m.kind is Kind.OFFICIAL]


def test_title_with_country_complement_then_name(read_text):
    (r,) = read_text("He met U.S. Ambassador to Japan Rahm Emanuel in Tokyo.")
    assert kinds([r], Kind.OFFICIAL) == ["Rahm Emanuel"]
    pos = next(m for m in r.mentions if m.kind is Kind.POSITION)
    assert (pos.attr("country"), pos.attr("to_country")) == ("united-states", "japan")


def test_appositive_title_after_post_nominal_and_polity_words(read_text):
    (r,) = read_text(
        "It was signed by the Hon. Scott Morrison, MP, Prime Minister of the "
        "Commonwealth of Australia."
    )
    assert kinds([r], Kind.OFFICIAL) == ["Scott Morrison"]
    pos = next(m for m in r.mentions if m.kind is Kind.POSITION)
    assert pos.attr("country") == "australia"
    assert ("Scott Morrison", "ofCountry") in {
        (x.subject.text, x.predicate) for x in r.relations
    }


def test_title_broken_by_a_line_break_and_name_wrapped_after_first_word(read_text):
    (r,) = read_text(
        "It was co-chaired by Assistant\nSecretary of Defense David Shear and "
        "Undersecretary of National Defense Pio\nLorenzo F. Batino for Manila."
    )
    assert kinds([r], Kind.OFFICIAL) == ["David Shear", "Pio\nLorenzo F. Batino"]


def test_rank_between_title_and_name(read_text):
    (r,) = read_text("Marine Corps Commandant Gen. David Berger said so.")
    assert kinds([r], Kind.OFFICIAL) == ["David Berger"]
    assert kinds([r], Kind.POSITION) == ["Marine Corps Commandant"]


def test_forms_of_address_and_quoted_nickname(read_text):
    (r,) = read_text(
        'Secretaries Del Rosario and Gazmin met. It honors Brig. Gen. Vicente "Ben" '
        "Tomas Garrido Blaz."
    )
    assert kinds([r], Kind.OFFICIAL) == [
        "Del Rosario",
        "Gazmin",
        'Vicente "Ben" Tomas Garrido Blaz',
    ]


def test_photo_by_credit_without_colon_is_not_an_official(read_text):
    (r,) = read_text("A salute during the ceremony.\n\nPhoto by Cpl. Patrick King\n")
    assert kinds([r], Kind.OFFICIAL) == []


def test_us_military_ordinals_and_unit_abbreviations(read_text):
    (r,) = read_text("The 3d Marine Division and the 3d MLR trained with the 31st MEU.")
    assert kinds([r], Kind.UNIT) == ["3d Marine Division", "3d MLR", "31st MEU"]


def test_base_prefixes_with_camp_and_without_name(read_text):
    (r,) = read_text(
        "Troops at Marine Corps Base Hawaii and MCB Camp Blaz, and Marine Corps "
        "Logistics Base in Albany."
    )
    assert kinds([r], Kind.BASE) == [
        "Marine Corps Base Hawaii",
        "MCB Camp Blaz",
        "Marine Corps Logistics Base",
    ]


def test_treaty_title_short_name_and_initials(read_text):
    (r,) = read_text(
        "The Agreement between Japan and Australia concerning reciprocal access "
        "(“Japan-Australia Reciprocal Access Agreement”, or “Japan-Australia RAA”) was "
        "signed. The Japan-Australia RAA is an agreement on access."
    )
    assert kinds([r], Kind.TREATY) == [
        "Agreement between Japan and Australia concerning reciprocal access",
        "Japan-Australia Reciprocal Access Agreement",
        "Japan-Australia RAA",
        "Japan-Australia RAA",
    ]


def test_located_in_after_a_comma_mid_text(read_text):
    # regression: the "after the comma" check was anchored to the text start
    (r,) = read_text("A display at Yokota Air Base, Japan, Nov. 18, 2022, drew crowds.")
    rels = {
        (x.subject.text, x.predicate, getattr(x.object, "text", x.object))
        for x in r.relations
    }
    assert ("Yokota Air Base", "locatedIn", "Japan") in rels


def test_place_is_home_to_a_count(read_text):
    (r,) = read_text("MCB Camp Blaz will be home to about 5,000 Marines.")
    (c,) = r.claims
    assert (c.value, c.category, c.qualifier, c.subject.text) == (
        5000,
        "marines",
        "about",
        "MCB Camp Blaz",
    )


def test_country_before_a_title_starts_at_the_country_not_the_line_break(read_text):
    # regression: "\n\nUS" was recorded as a country mention overlapping "US"
    (r,) = read_text("It ends here.\n\nUS Defense Secretary Lloyd Austin said so.")
    countries = [(m.span.begin, m.text) for m in r.mentions if m.kind is Kind.COUNTRY]
    assert countries == [(15, "US")]
