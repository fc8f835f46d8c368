-- Per legislature x vote kind x winning coalition (fct_scrutin_outcomes): how many in-scope votes
-- that coalition won and its share of the votes of that kind; vote_kind 'all' counts every kind.
with

outcomes as (
    select * from {{ ref('fct_scrutin_outcomes') }}
),

counted as (
    {% for vote_kind in ['vote_kind', "'all'"] %}
    select
        legislature,
        {{ vote_kind }} as vote_kind,
        winning_coalition,
        winning_groups,
        government_won,
        alliance_won,
        count(*)::integer as n_votes
    from outcomes
    group by legislature, {{ vote_kind }}, winning_coalition, winning_groups, government_won, alliance_won
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        *,
        n_votes / sum(n_votes) over (partition by legislature, vote_kind) as share
    from counted
)

select * from final
