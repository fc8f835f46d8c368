{#- Aggregate columns shared by a summary and its monthly twin, so both always say the same thing.
    Each mean comes with the number of votes behind it. -#}

{#- Over int_parliament__cohesion_group_votes rows of one group. -#}
{% macro group_cohesion_measures() -%}
    count(agreement_index)::integer as n_votes,
    avg(agreement_index) as mean_agreement_index,
    count(rice_index)::integer as n_votes_rice,
    avg(rice_index) as mean_rice_index,
    (count(agreement_index) filter (where is_final_vote))::integer as n_final_votes,
    avg(agreement_index) filter (where is_final_vote) as mean_agreement_index_final,
    (count(rice_index) filter (where is_final_vote))::integer as n_final_votes_rice,
    avg(rice_index) filter (where is_final_vote) as mean_rice_index_final,
    count(desposato_agreement_index)::integer as n_votes_desposato,
    avg(desposato_agreement_index) as mean_agreement_index_desposato,
    {{ safe_ratio('sum(close_vote_weight * agreement_index)',
                  'sum(close_vote_weight) filter (where agreement_index is not null)') }}
        as mean_agreement_index_close_weighted
{%- endmacro %}

{#- Over int_parliament__group_vote_pairs rows of one pair. -#}
{% macro pairwise_agreement_measures() -%}
    (count(*) filter (where both_have_position))::integer as n_votes,
    (count(*) filter (where both_have_position and positions_agree))::integer as n_agree,
    {{ safe_ratio('count(*) filter (where both_have_position and positions_agree)',
                  'count(*) filter (where both_have_position)') }} as agreement_rate
{%- endmacro %}

{#- Over int_parliament__bloc_votes rows of one bloc; every measure is taken on the same votes, those
    where every member group has a position. -#}
{% macro bloc_unity_measures() -%}
    (count(*) filter (where all_groups_have_position))::integer as n_votes,
    (count(*) filter (where is_unanimous))::integer as n_unanimous,
    {{ safe_ratio('count(*) filter (where is_unanimous)', 'count(*) filter (where all_groups_have_position)') }}
        as unanimity_rate,
    avg(bloc_agreement_index) filter (where all_groups_have_position) as bloc_agreement_index,
    avg(within_group_agreement_index) filter (where all_groups_have_position) as mean_within_group_index,
    avg(within_group_agreement_index - bloc_agreement_index) filter (where all_groups_have_position)
        as between_group_gap
{%- endmacro %}

{#- Readable description of a bloc split from an int_parliament__bloc_votes row, e.g.
    "against: ECO, GDR, LFI | abstain: SOC" (positions absent from the vote are left out). -#}
{% macro fault_line_label(relation) -%}
    concat_ws(' | ',
        'for: ' || {{ relation }}.groups_for,
        'against: ' || {{ relation }}.groups_against,
        'abstain: ' || {{ relation }}.groups_abstain)
{%- endmacro %}
