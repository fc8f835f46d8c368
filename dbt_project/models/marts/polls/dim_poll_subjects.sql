with

subjects as (
    select * from {{ ref('ref_poll_subjects') }}
),

subject_alliances as (
    select * from {{ ref('int_polls__subject_alliances') }}
),

memberships as (
    select subject_code, string_agg(alliance_code, ', ' order by start_date) as left_alliances
    from subject_alliances
    group by subject_code
),

final as (
    select
        subjects.subject_code,
        subjects.subject_name,
        subjects.subject_type,
        subjects.party_code,
        parties.subject_name as party_name,
        memberships.left_alliances,
        subjects.notes
    from subjects
    left join subjects as parties on parties.subject_code = subjects.party_code
    left join memberships on memberships.subject_code = subjects.subject_code
)

select * from final
