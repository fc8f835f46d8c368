with

source as (
    select * from {{ source('polls', 'polls_presidential_2027_candidates') }}
),

renamed as (
    select
        source,
        source_row,
        candidate_id,
        complete_name as full_name,
        name as first_name,
        surname as last_name,
        parti as party_label,
        annonce_candidature as declared_on,
        retrait_candidature as withdrawn_on,
        second_round as second_round_label
    from source
)

select * from renamed
