-- One row per canonical group and legislature. Validity comes from the groups' organe records
-- (earliest start, latest end, open while any of its uids is open). A uid with no organe record
-- (PO847173, a real gap of the source) starts at its first vote instead.
with

seed_groups as (
    select * from {{ ref('ref_parliament_groups') }}
),

organes as (
    select * from {{ ref('stg_assemblee__organes') }}
),

first_votes as (
    select
        tally_groups.group_uid,
        min(scrutins.vote_date) as first_vote_date
    from {{ ref('int_parliament__tally_groups') }} as tally_groups
    inner join {{ ref('stg_assemblee__scrutins') }} as scrutins
        on tally_groups.scrutin_uid = scrutins.scrutin_uid
    group by tally_groups.group_uid
),

group_uids as (
    select
        seed_groups.*,
        coalesce(organes.start_date, first_votes.first_vote_date) as start_date,
        organes.end_date,
        organes.organe_uid is not null and organes.end_date is null as is_open
    from seed_groups
    left join organes
        on seed_groups.group_uid = organes.organe_uid
    left join first_votes
        on seed_groups.group_uid = first_votes.group_uid
),

final as (
    select
        legislature || '-' || group_code as group_key,
        legislature::smallint as legislature,
        group_code,
        -- the name of the newest uid: SOC and UDR changed uid, not name
        arg_max(group_name, coalesce(start_date, date '1900-01-01')) as group_name,
        bloc,
        list(group_uid order by start_date nulls last, group_uid) as group_uids,
        min(start_date) as valid_from,
        case when bool_or(is_open) then null else max(end_date) end as valid_to
    from group_uids
    group by legislature, group_code, bloc
)

select * from final
