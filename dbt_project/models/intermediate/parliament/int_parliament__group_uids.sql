-- Every group uid the record's tallies resolve to (int_parliament__tally_groups), mapped to its canonical group.
-- A uid that no seed row names keeps its rows: group_code falls back to the raw uid and is_unknown_group
-- is true, so the fact tables lose nothing and a warn test counts them.
with

tally_groups as (
    select * from {{ ref('int_parliament__tally_groups') }}
),

seed_groups as (
    select * from {{ ref('ref_parliament_groups') }}
),

seen_uids as (
    select distinct legislature, group_uid from tally_groups
),

final as (
    select
        seen_uids.legislature,
        seen_uids.group_uid,
        coalesce(seed_groups.group_code, seen_uids.group_uid) as group_code,
        seed_groups.group_name,
        seed_groups.bloc,
        seed_groups.group_code is null as is_unknown_group
    from seen_uids
    left join seed_groups
        on seen_uids.legislature = seed_groups.legislature
        and seen_uids.group_uid = seed_groups.group_uid
)

select * from final
