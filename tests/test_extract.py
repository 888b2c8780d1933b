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
