-- Per legislature x group, how often the group won the in-scope votes where it had a position and
-- how often it was decisive on them, over the whole legislature and broken down by month, by vote
-- kind and by policy area: one aggregation per grain. The won and decisive flags are the
-- vote's winning and decisive groups (fct_scrutin_outcomes, rules in int_parliament__group_outcomes).
with

group_votes as (
    select * from {{ ref('fct_group_votes') }}
    where in_cohesion_scope and not is_unknown_group and position is not null
),

outcomes as (
    select * from {{ ref('fct_scrutin_outcomes') }}
),

flagged as (
    select
        group_votes.legislature,
        group_votes.group_code,
        group_votes.bloc,
        group_votes.vote_month,
        group_votes.vote_kind,
        coalesce(group_votes.policy_area, 'unclassified') as policy_area,
        list_contains(outcomes.winning_groups, group_votes.group_code) as won,
        list_contains(outcomes.decisive_groups, group_votes.group_code) as is_decisive
    from group_votes
    inner join outcomes
        on group_votes.scrutin_uid = outcomes.scrutin_uid
),

{%- set grains = {
    'legislature': "'all'",
    'month': 'vote_month::varchar',
    'vote_kind': 'vote_kind',
    'policy_area': 'policy_area'
} %}

final as (
    {% for grain, value in grains.items() %}
    select
        legislature,
        group_code,
        bloc,
        '{{ grain }}' as grain,
        {{ value }} as grain_value,
        count(*)::integer as n_votes,
        (count(*) filter (where won))::integer as n_won,
        {{ safe_ratio('count(*) filter (where won)', 'count(*)') }} as success_rate,
        (count(*) filter (where is_decisive))::integer as n_decisive,
        {{ safe_ratio('count(*) filter (where is_decisive)', 'count(*)') }} as decisive_rate
    from flagged
    group by legislature, group_code, bloc, grain_value
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from final
