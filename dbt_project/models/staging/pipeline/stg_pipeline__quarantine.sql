with

source as (

    select * from {{ source('pipeline', 'quarantine') }}

),

renamed as (

    select
        ----------  ids
        source as source_key,
        partition_key,
        member,

        ---------- text
        case split_part(source, '/', 1) when 'an' then 'assemblee' else split_part(source, '/', 1) end as source_family,
        error,

        ---------- numerics
        case when source like 'an/%' then try_cast(split_part(source, '/', 2) as smallint) end as legislature,

        ---------- booleans
        kept_previous_rows,

        ---------- dates
        recorded_at

    from source

)

select * from renamed
