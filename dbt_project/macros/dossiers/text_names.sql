{#- Titles of votes, documents and dossiers, normalised so the same text's name compares equal
    wherever it is written: typographic apostrophes made straight, lower case, accents stripped,
    parenthesised asides removed (reading suffixes such as "(première lecture)", "(nouvelle
    lecture)", "(texte de la commission mixte paritaire)", and "(n°273)", "(supprimé)"), a
    budget-mission suffix (" - Mission Outre-Mer") and final punctuation dropped, spaces collapsed. -#}
{% macro normalize_title(title) -%}
    trim(regexp_replace(regexp_replace(regexp_replace(
        strip_accents(lower(replace(replace({{ title }}, '’', ''''), '‘', ''''))),
        '\([^()]*\)', ' ', 'g'),
        '\s+-\s+mission\s.*$|[\s.,;]+$', '', 'g'),
        '\s+', ' ', 'g'))
{%- endmacro %}

{#- The name of the text a vote's title quotes ("l'amendement n° 12 de M. X à l'article 3 du projet
    de loi relatif à ... (première lecture)." -> "projet de loi relatif a ..."): from the first
    "projet de loi", "proposition de loi/résolution" or "proposition européenne" to the end,
    normalised. Empty when the title quotes no text (motions of censure, declarations). -#}
{% macro text_name_of(title) -%}
    trim(regexp_extract(
        {{ normalize_title(title) }},
        '((projet|proposition) (de loi|de resolution|europeenne).*)$', 1))
{%- endmacro %}
