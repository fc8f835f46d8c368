-- Every pair of groups (each pair once, codes in alphabetical order) on every in-scope vote both
-- took part in, with whether both have a position and whether the positions are equal.
-- Two null positions are never agreement (a flaw of Datan's code not copied).
with

group_votes as (
    select * from {{ ref('int_parliament__cohesion_group_votes') }}
),

final as (
    select
        group_a.scrutin_uid,
        group_a.legislature,
        group_a.vote_month,
        group_a.vote_kind,
        group_a.group_code as group_code_a,
        group_b.group_code as group_code_b,
        group_a.position as position_a,
        group_b.position as position_b,
        group_a.position is not null and group_b.position is not null as both_have_position,
        group_a.position = group_b.position as positions_agree
    from group_votes as group_a
    inner join group_votes as group_b
        on group_a.scrutin_uid = group_b.scrutin_uid
        and group_a.group_code < group_b.group_code
)

select * from final
