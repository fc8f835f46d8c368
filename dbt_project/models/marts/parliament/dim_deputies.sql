-- Every deputy known to the actors' dumps or to the record: a voter with no actor file (a real gap
-- of the 17th's AMO10 dump) still gets a row, with no name, so fct_deputy_votes always joins.
with

deputies as (
    select * from {{ ref('stg_assemblee__deputies') }}
),

voters as (
    select distinct deputy_uid from {{ ref('int_parliament__deputy_votes') }}
),

all_uids as (
    select deputy_uid from deputies
    union
    select deputy_uid from voters
),

final as (
    select
        all_uids.deputy_uid,
        deputies.civility,
        deputies.first_name,
        deputies.last_name,
        deputies.full_name,
        deputies.sort_name,
        deputies.birth_date,
        deputies.death_date,
        deputies.profession,
        deputies.deputy_uid is not null as has_actor_record
    from all_uids
    left join deputies
        on all_uids.deputy_uid = deputies.deputy_uid
)

select * from final
