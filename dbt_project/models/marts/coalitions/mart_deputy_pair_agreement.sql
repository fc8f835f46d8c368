-- Every pair of deputies who cast ballots (for, against, abstain) under groups of the same bloc on
-- the same in-scope votes, each pair once (uids in alphabetical order): over those votes, the share
-- where both ballots are equal. The ballots are joined vote by vote within the bloc, never every
-- ballot with every other: a vote contributes only the pairs of its own bloc voters.
with

ballots as (
    select * from {{ ref('fct_deputy_votes') }}
    where in_cohesion_scope and has_cast
),

seed_groups as (
    select distinct legislature, group_code, bloc from {{ ref('ref_parliament_groups') }}
    where bloc is not null
),

bloc_ballots as (
    select
        ballots.scrutin_uid,
        ballots.legislature,
        seed_groups.bloc,
        ballots.deputy_uid,
        ballots.position
    from ballots
    inner join seed_groups
        on ballots.legislature = seed_groups.legislature
        and ballots.group_code = seed_groups.group_code
),

final as (
    select
        deputy_a.legislature,
        deputy_a.bloc,
        deputy_a.deputy_uid as deputy_uid_a,
        deputy_b.deputy_uid as deputy_uid_b,
        count(*)::integer as n_votes,
        (count(*) filter (where deputy_a.position = deputy_b.position))::integer as n_agree,
        {{ safe_ratio('count(*) filter (where deputy_a.position = deputy_b.position)', 'count(*)') }}
            as agreement_rate
    from bloc_ballots as deputy_a
    inner join bloc_ballots as deputy_b
        on deputy_a.scrutin_uid = deputy_b.scrutin_uid
        and deputy_a.bloc = deputy_b.bloc
        and deputy_a.deputy_uid < deputy_b.deputy_uid
    group by deputy_a.legislature, deputy_a.bloc, deputy_a.deputy_uid, deputy_b.deputy_uid
)

select * from final
