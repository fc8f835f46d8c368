-- One row per legislative dossier across the loaded dumps: a dossier of an older legislature can
-- appear in several dumps, the newest dump's copy wins.
with

source as (

    select * from {{ source('assemblee_dossiers', 'an_dossiers') }}

),

newest_dump as (

    {{ keep_newest_dump('source') }}

),

renamed as (

    select
        uid as dossier_uid,
        legislature,
        titre as title,
        titre_chemin as title_slug,
        senat_chemin as senate_url,
        procedure_code,
        procedure_libelle as procedure_label,
        xsi_type as dossier_type,
        fusion_cause as merge_cause,
        fusion_dossier_absorbant_ref as absorbing_dossier_uid,
        dump_legislature

    from newest_dump

)

select * from renamed
