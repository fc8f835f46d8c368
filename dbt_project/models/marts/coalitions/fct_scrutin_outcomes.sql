-- One row per in-scope vote (SPO, SPS): its outcome and who made it (int_parliament__group_outcomes).
-- The winning coalition is the groups that won, codes in alphabetical order joined by ' + ', or
-- '(none)' when no group won (nobody voted, or every plurality abstained or lost). The government
-- (or the alliance) won when every one of its groups won; null when the vote has no government.
with

scrutins as (
    select * from {{ ref('int_parliament__scrutins') }}
    where in_cohesion_scope
),

group_outcomes as (
    select * from {{ ref('int_parliament__group_outcomes') }}
),

scrutin_policy_areas as (
    select * from {{ ref('int_dossiers__scrutin_policy_areas') }}
),

per_scrutin as (
    select
        scrutin_uid,
        any_value(government) as government,
        list(group_code order by group_code) filter (where is_government_group) as government_groups,
        list(group_code order by group_code) filter (where won) as winning_groups,
        bool_and(coalesce(won, false)) filter (where is_government_group) as government_won,
        bool_and(coalesce(won, false)) filter (where bloc is not null) as alliance_won,
        list(group_code order by group_code) filter (where is_decisive) as decisive_groups
    from group_outcomes
    group by scrutin_uid
),

final as (
    select
        scrutins.scrutin_uid,
        scrutins.legislature,
        scrutins.vote_date,
        scrutins.vote_month,
        scrutins.vote_type_code,
        scrutins.vote_kind,
        scrutin_policy_areas.policy_area,
        per_scrutin.government,
        coalesce(per_scrutin.government_groups, []::varchar[]) as government_groups,  -- noqa: LT01
        scrutins.adopted,
        scrutins.margin,
        coalesce(array_to_string(per_scrutin.winning_groups, ' + '), '(none)') as winning_coalition,
        coalesce(per_scrutin.winning_groups, []::varchar[]) as winning_groups,  -- noqa: LT01
        per_scrutin.government_won,
        per_scrutin.alliance_won,
        coalesce(len(per_scrutin.decisive_groups), 0)::integer as n_decisive_groups,
        coalesce(per_scrutin.decisive_groups, []::varchar[]) as decisive_groups  -- noqa: LT01
    from scrutins
    left join per_scrutin
        on scrutins.scrutin_uid = per_scrutin.scrutin_uid
    left join scrutin_policy_areas
        on scrutins.scrutin_uid = scrutin_policy_areas.scrutin_uid
)

select * from final
