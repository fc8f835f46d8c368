with

memberships as (
    select * from {{ ref('int_parliament__group_memberships') }}
),

final as (
    select
        deputy_uid || '-' || legislature || '-' || group_code || '-' || membership_number as membership_key,
        deputy_uid,
        legislature::smallint as legislature,
        legislature || '-' || group_code as group_key,
        group_code,
        membership_number::integer as membership_number,
        start_date,
        end_date,
        group_uids,
        mandate_uids
    from memberships
)

select * from final
