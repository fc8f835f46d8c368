-- Each known group on each in-scope vote (SPO, SPS), with the vote's outcome and whether the group
-- won it and was decisive (methods.md). The outcome is the source's sort.code; on every public vote
-- it agrees with pour > contre over the whole chamber (tests/test_coalition_marts.py), the rule the
-- decisive test reverses. A group wins when its position (strict plurality of its official tally)
-- is for on an adopted vote or against on a rejected one: an abstaining plurality never wins, and a
-- group with no position has won = null (left out of every rate). A group is decisive when swapping
-- its members' pour and contre ballots, the other groups unchanged, would reverse the outcome: the
-- chamber's margin pour - contre moves by twice the group's own pour - contre.
with

group_votes as (
    select * from {{ ref('int_parliament__group_votes') }}
    where in_cohesion_scope and not is_unknown_group
),

scrutins as (
    select * from {{ ref('int_parliament__scrutins') }}
),

government_groups as (
    select * from {{ ref('ref_government_groups') }}
),

governments as (
    select distinct legislature, government, start_date, end_date from government_groups
),

outcomes as (
    select
        group_votes.scrutin_uid,
        group_votes.legislature,
        group_votes.vote_date,
        group_votes.vote_month,
        group_votes.vote_type_code,
        group_votes.vote_kind,
        group_votes.group_code,
        group_votes.bloc,
        group_votes.n_for,
        group_votes.n_against,
        group_votes.n_abstain,
        group_votes.position,
        scrutins.adopted,
        scrutins.margin,
        governments.government,
        government_groups.group_code is not null as is_government_group
    from group_votes
    inner join scrutins
        on group_votes.scrutin_uid = scrutins.scrutin_uid
    left join governments
        on group_votes.legislature = governments.legislature
        and group_votes.vote_date between governments.start_date and governments.end_date
    left join government_groups
        on governments.legislature = government_groups.legislature
        and governments.government = government_groups.government
        and group_votes.group_code = government_groups.group_code
),

final as (
    select
        *,
        case
            when position is not null then position = case when adopted then 'for' else 'against' end
        end as won,
        (margin - 2 * (n_for - n_against) > 0) != (margin > 0) as is_decisive
    from outcomes
)

select * from final
