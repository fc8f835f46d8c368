with

source as (

    select * from {{ source('assemblee', 'an_mandats') }}

),

newest_dump as (

    {{ keep_newest_dump('source') }}

),

renamed as (

    select
        ----------  ids
        uid as mandate_uid,
        acteur_ref as deputy_uid,
        organe_ref as organe_uid,
        organe_refs as organe_uids,
        legislature,
        dump_legislature,

        ---------- text
        type_organe as organe_type,
        code_qualite as quality_code,
        lib_qualite as quality_label,

        ---------- numerics
        preseance as precedence,

        ---------- booleans
        nomin_principale as is_principal,

        ---------- dates
        date_debut as start_date,
        date_fin as end_date,
        date_publication as publication_date

    from newest_dump

)

select * from renamed
