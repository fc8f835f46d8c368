with

source as (

    select * from {{ source('assemblee', 'an_organes') }}

),

newest_dump as (

    {{ keep_newest_dump('source') }}

),

renamed as (

    select
        ----------  ids
        uid as organe_uid,
        organe_parent as parent_organe_uid,
        legislature,
        dump_legislature,

        ---------- text
        code_type as organe_type,
        libelle as name,
        libelle_edition as name_in_text,
        libelle_abrege as short_name,
        libelle_abrev as abbreviation,

        ---------- dates
        date_debut as start_date,
        date_fin as end_date

    from newest_dump

)

select * from renamed
