-- Group memberships (GP mandates) merged per canonical group: a deputy whose group changed uid
-- (SOC on 2023-10-19) or who held back-to-back mandates in one group has ONE membership, from the
-- first start to the last end (gaps-and-islands: a mandate starting more than a day after the
-- previous one ended opens a new membership). Mandates of a uid no seed row names keep the uid as code.
with

mandates as (
    select * from {{ ref('stg_assemblee__mandates') }}
    where organe_type = 'GP'
),

seed_groups as (
    select * from {{ ref('ref_parliament_groups') }}
),

mapped as (
    select
        mandates.deputy_uid,
        mandates.legislature,
        mandates.mandate_uid,
        mandates.organe_uid as group_uid,
        coalesce(seed_groups.group_code, mandates.organe_uid) as group_code,
        mandates.start_date,
        mandates.end_date
    from mandates
    left join seed_groups
        on mandates.legislature = seed_groups.legislature
        and mandates.organe_uid = seed_groups.group_uid
),

flagged as (
    select
        *,
        coalesce(
            start_date > max(coalesce(end_date, date '9999-12-31')) over (
                partition by deputy_uid, legislature, group_code
                order by start_date, mandate_uid
                rows between unbounded preceding and 1 preceding
            ) + 1,
            true
        ) as opens_membership
    from mapped
),

numbered as (
    select
        *,
        sum(opens_membership::integer) over (
            partition by deputy_uid, legislature, group_code
            order by start_date, mandate_uid
        ) as membership_number
    from flagged
),

final as (
    select
        deputy_uid,
        legislature,
        group_code,
        membership_number,
        min(start_date) as start_date,
        -- an open mandate (no end) keeps the membership open
        case when count(*) = count(end_date) then max(end_date) end as end_date,
        list(distinct group_uid order by group_uid) as group_uids,
        list(mandate_uid order by start_date, mandate_uid) as mandate_uids
    from numbered
    group by all
)

select * from final
