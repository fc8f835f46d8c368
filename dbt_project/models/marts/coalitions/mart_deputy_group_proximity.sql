-- Per legislature x deputy x group, Datan's proximity: over the in-scope votes where the deputy cast
-- a ballot (for, against, abstain) and the group has a position, the share where they are equal.
-- The deputy's own group is the one of their latest in-scope ballot of the legislature; a group is
-- a government group when it belonged to the government on every vote where it had a position.
with

ballots as (
    select * from {{ ref('fct_deputy_votes') }}
    where in_cohesion_scope and has_cast
),

group_votes as (
    select * from {{ ref('fct_group_votes') }}
    where in_cohesion_scope and not is_unknown_group and position is not null
),

outcomes as (
    select * from {{ ref('fct_scrutin_outcomes') }}
),

government_status as (
    select
        group_votes.legislature,
        group_votes.group_code,
        bool_and(list_contains(outcomes.government_groups, group_votes.group_code)) as is_government_group
    from group_votes
    inner join outcomes
        on group_votes.scrutin_uid = outcomes.scrutin_uid
    group by group_votes.legislature, group_votes.group_code
),

seed_groups as (
    select distinct legislature, group_code, bloc from {{ ref('ref_parliament_groups') }}
),

deputy_groups as (
    select
        legislature,
        deputy_uid,
        arg_max(group_code, vote_date) as deputy_group_code
    from ballots
    group by legislature, deputy_uid
),

proximity as (
    select
        ballots.legislature,
        ballots.deputy_uid,
        group_votes.group_code,
        group_votes.bloc,
        count(*)::integer as n_votes,
        (count(*) filter (where ballots.position = group_votes.position))::integer as n_agree
    from ballots
    inner join group_votes
        on ballots.scrutin_uid = group_votes.scrutin_uid
    group by ballots.legislature, ballots.deputy_uid, group_votes.group_code, group_votes.bloc
),

final as (
    select
        proximity.legislature,
        proximity.deputy_uid,
        deputy_groups.deputy_group_code,
        seed_groups.bloc as deputy_bloc,
        proximity.group_code,
        proximity.bloc,
        government_status.is_government_group,
        proximity.n_votes,
        proximity.n_agree,
        {{ safe_ratio('proximity.n_agree', 'proximity.n_votes') }} as proximity_rate
    from proximity
    inner join deputy_groups
        on proximity.legislature = deputy_groups.legislature
        and proximity.deputy_uid = deputy_groups.deputy_uid
    inner join government_status
        on proximity.legislature = government_status.legislature
        and proximity.group_code = government_status.group_code
    left join seed_groups
        on deputy_groups.legislature = seed_groups.legislature
        and deputy_groups.deputy_group_code = seed_groups.group_code
)

select * from final
