with

source as (
    select * from {{ source('polls', 'polls_releases') }}
),

renamed as (
    select
        source,
        source_row,
        date as release_date,
        date is not null as has_release_date,
        institut as pollster_label,
        -- Decoded from HTML entities (&rsquo; &#8211; &nbsp;...) by the raw loader (html.unescape).
        subject as title,
        link,
        theme_name as theme
    from source
)

select * from renamed
