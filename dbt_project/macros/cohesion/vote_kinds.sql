{#- Kind of a scrutin, from its title (the Assemblée writes it as "<object voted> ...") and its type.
    Rules live here, not in a seed, so the dbt unit tests exercise the real rules on real titles;
    the seed ref_vote_kinds lists the kinds and their labels. Titles use both ' and ’, and "n°" is
    sometimes preceded by two spaces or "de suppression"/"de rédaction globale": the patterns allow it. -#}
{% macro classify_vote_kind(title, vote_type_code) -%}
    case
        when {{ vote_type_code }} = 'MOC' or regexp_matches(lower({{ title }}), '^la motion de censure') then 'motion_censure'
        when regexp_matches(lower({{ title }}), '^la motion de rejet préalable') then 'motion_rejet_prealable'
        when regexp_matches(lower({{ title }}), '^la motion de renvoi en commission') then 'motion_renvoi_commission'
        when regexp_matches(lower({{ title }}), '^le sous-amendement') then 'sub_amendment'
        when regexp_matches(lower({{ title }}), '^l[''’]amendement') then 'amendment'
        when regexp_matches(lower({{ title }}), '^l[''’]article') then 'article'
        when regexp_matches(lower({{ title }}), '^(l[''’]ensemble|la proposition de résolution|le projet de loi constitutionnelle)') then 'final_vote'
        else 'other'
    end
{%- endmacro %}
