with

source as (
    select * from {{ source('polls', 'polls_presidential_2027_polls') }}
),

renamed as (
    select
        source,
        source_row,
        {{ mieuxvoter_poll_keys() }},
        {{ nsppolls_poll_columns() }},
        tour as round_label,
        sous_echantillon1 as sub_sample_1_size,
        sous_population1 as sub_sample_1_population,
        sous_echantillon2 as sub_sample_2_size,
        sous_population2 as sub_sample_2_population,
        sous_echantillon3 as sub_sample_3_size,
        sous_population3 as sub_sample_3_population,
        filename as report_file
    from source
)

select * from renamed
