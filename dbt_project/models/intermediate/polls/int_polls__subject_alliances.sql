{#- Which left alliance each subject belongs to, and when: the alliance's own joint list, and every
    subject whose party is one of the alliance's parties (people through their party). -#}

with

subjects as (
    select * from {{ ref('ref_poll_subjects') }}
),

alliances as (
    select * from {{ ref('ref_poll_alliances') }}
),

alliance_parties as (
    select * from {{ ref('ref_poll_alliance_parties') }}
),

memberships as (
    select
        subjects.subject_code,
        alliances.alliance_code,
        alliances.start_date,
        alliances.end_date
    from subjects
    cross join alliances
    left join alliance_parties
        on alliance_parties.alliance_code = alliances.alliance_code
        and alliance_parties.party_code = subjects.party_code
    where subjects.subject_code = alliances.list_subject_code or alliance_parties.party_code is not null
)

select * from memberships
