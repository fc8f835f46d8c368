with

source as (
    select * from {{ source('polls', 'polls_legislative_2022') }}
),

renamed as (
    select
        source,
        source_row,
        {{ polls_fieldwork_poll_id('debut_enquete', 'fin_enquete', 'nom_institut') }} as poll_id,
        nom_institut as pollster_label,
        media as sponsor,
        debut_enquete as fieldwork_start,
        fin_enquete as fieldwork_end,
        echantillon as sample_size,
        case type
            when 'score' then 'vote_share'
            when 'sieges-bas' then 'seats_low'
            when 'sieges-haut' then 'seats_high'
        end as measure,
        parti as subject_label,
        intentions as value,
        source_url
    from source
)

select * from renamed
