{#- The measures of methods.md, written once and used by every parliament model.
    Arguments are SQL expressions for a group's official tally: pour (Y), contre (N), abstentions (A). -#}

{% macro ballots_cast(n_for, n_against, n_abstain) -%}
    ({{ n_for }} + {{ n_against }} + {{ n_abstain }})
{%- endmacro %}

{#- Strict plurality of (Y, N, A); null on a tie for first place or when nobody voted (T = 0):
    a tie is scored against nobody, and "nobody voted" is no position. -#}
{% macro plurality_position(n_for, n_against, n_abstain) -%}
    case
        when {{ n_for }} > {{ n_against }} and {{ n_for }} > {{ n_abstain }} then 'for'
        when {{ n_against }} > {{ n_for }} and {{ n_against }} > {{ n_abstain }} then 'against'
        when {{ n_abstain }} > {{ n_for }} and {{ n_abstain }} > {{ n_against }} then 'abstain'
    end
{%- endmacro %}

{#- Agreement Index (Hix, Noury & Roland 2005): (max - (T - max) / 2) / T, null when T = 0. -#}
{% macro agreement_index(n_for, n_against, n_abstain) -%}
    case
        when {{ ballots_cast(n_for, n_against, n_abstain) }} > 0
        then (
            greatest({{ n_for }}, {{ n_against }}, {{ n_abstain }})
            - ({{ ballots_cast(n_for, n_against, n_abstain) }} - greatest({{ n_for }}, {{ n_against }}, {{ n_abstain }})) / 2.0
        ) / {{ ballots_cast(n_for, n_against, n_abstain) }}
    end::double
{%- endmacro %}

{#- Rice index (Rice 1925): |Y - N| / (Y + N), abstentions ignored, null when Y + N = 0. -#}
{% macro rice_index(n_for, n_against) -%}
    case
        when {{ n_for }} + {{ n_against }} > 0
        then abs({{ n_for }} - {{ n_against }}) / ({{ n_for }} + {{ n_against }})::double
    end
{%- endmacro %}

{#- Carey (2007) close-vote weight over the whole chamber: 1 - |Y_all - N_all| / (Y_all + N_all),
    so a lopsided vote counts less; null where nobody voted for or against. -#}
{% macro close_vote_weight(n_for, n_against) -%}
    (1 - {{ rice_index(n_for, n_against) }})
{%- endmacro %}

{#- A share that is null, not an error, when nothing stands behind it. -#}
{% macro safe_ratio(numerator, denominator) -%}
    ({{ numerator }} / nullif({{ denominator }}, 0))::double
{%- endmacro %}
