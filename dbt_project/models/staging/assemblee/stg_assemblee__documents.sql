-- One row per parliamentary document (bill, report, treaty...) across the loaded dumps; the newest
-- dump's copy wins.
with

source as (

    select * from {{ source('assemblee_dossiers', 'an_documents') }}

),

newest_dump as (

    {{ keep_newest_dump('source') }}

),

renamed as (

    select
        uid as document_uid,
        legislature,
        dossier_ref as dossier_uid,
        xsi_type as document_kind,
        denomination_structurelle as structural_name,
        titre_principal as title,
        titre_principal_court as short_title,
        type_code,
        type_libelle as type_label,
        statut_adoption as adoption_status,
        date_depot as filed_date,
        date_publication as published_date,
        dump_legislature

    from newest_dump

)

select * from renamed
