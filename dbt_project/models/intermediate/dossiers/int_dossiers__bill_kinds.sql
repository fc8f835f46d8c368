-- Every dossier that is a bill, as a government bill (projet de loi) or a members' bill (proposition
-- de loi). The procedure says it, except the two procedures the Assemblée names "Projet ou
-- proposition de loi" (constitutional, organic): there a dossier with a document of type PRJL
-- (projet de loi) is a government bill, any other a members' bill. Resolutions, reports and the
-- other procedures are not bills and have no row.
with

dossiers as (
    select * from {{ ref('stg_assemblee__dossiers') }}
),

documents as (
    select * from {{ ref('stg_assemblee__documents') }}
),

government_texts as (
    select distinct dossier_uid from documents
    where type_code = 'PRJL'
),

final as (
    select
        dossiers.dossier_uid,
        case
            when dossiers.procedure_label like 'Projet ou proposition de loi%'
                then case when government_texts.dossier_uid is not null then 'government_bill' else 'members_bill' end
            when dossiers.procedure_label like 'Projet de loi%'
                or dossiers.procedure_label like 'Projet de ratification%'
                then 'government_bill'
            else 'members_bill'
        end as bill_kind
    from dossiers
    left join government_texts
        on dossiers.dossier_uid = government_texts.dossier_uid
    where dossiers.procedure_label like 'Projet%'
        or dossiers.procedure_label like 'Proposition de loi%'
)

select * from final
