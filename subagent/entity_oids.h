/* entity_oids.h: the few ENTITY-MIB objects headroomd serves.
 *
 * ENTITY-MIB is an IETF module (RFC 6933, "Entity MIB (Version 4)", which
 * obsoletes RFC 4133) that Debian does not package and that we do not ship,
 * so these OIDs cannot come from the generated hdrm_oids.h; they are
 * written out here, each built from its parent, with the RFC's object
 * names.  tests/subagent/test_entity.sh checks them by number.
 */
#ifndef HDRM_ENTITY_OIDS_H
#define HDRM_ENTITY_OIDS_H

#define ENT_OID_entityMIB           1, 3, 6, 1, 2, 1, 47        /* { mib-2 47 } */
#define ENT_OID_entityMIBObjects    ENT_OID_entityMIB, 1
#define ENT_OID_entityPhysical      ENT_OID_entityMIBObjects, 1
#define ENT_OID_entityMapping       ENT_OID_entityMIBObjects, 3
#define ENT_OID_entityGeneral       ENT_OID_entityMIBObjects, 4
#define ENT_OID_entPhysicalTable    ENT_OID_entityPhysical, 1
#define ENT_OID_entPhysicalEntry    ENT_OID_entPhysicalTable, 1
#define ENT_OID_entPhysicalContainsTable ENT_OID_entityMapping, 3
#define ENT_OID_entLastChangeTime   ENT_OID_entityGeneral, 1
#define ENT_OID_entityMIBTraps      ENT_OID_entityMIB, 2
#define ENT_OID_entityMIBTrapPrefix ENT_OID_entityMIBTraps, 0
#define ENT_OID_entConfigChange     ENT_OID_entityMIBTrapPrefix, 1

/* entPhysicalEntry columns (RFC 6933 section 5) */
enum ent_col {
    ENT_COL_entPhysicalIndex = 1,           /* not-accessible */
    ENT_COL_entPhysicalDescr = 2,
    ENT_COL_entPhysicalVendorType = 3,
    ENT_COL_entPhysicalContainedIn = 4,
    ENT_COL_entPhysicalClass = 5,
    ENT_COL_entPhysicalParentRelPos = 6,
    ENT_COL_entPhysicalName = 7,
    ENT_COL_entPhysicalHardwareRev = 8,
    ENT_COL_entPhysicalFirmwareRev = 9,
    ENT_COL_entPhysicalSoftwareRev = 10,
    ENT_COL_entPhysicalSerialNum = 11,
    ENT_COL_entPhysicalMfgName = 12,
    ENT_COL_entPhysicalModelName = 13,
    ENT_COL_entPhysicalAlias = 14,
    ENT_COL_entPhysicalAssetID = 15,
    ENT_COL_entPhysicalIsFRU = 16,
    ENT_COL_entPhysicalMfgDate = 17,        /* RFC 4133 */
    ENT_COL_entPhysicalUris = 18,           /* RFC 4133 */
    ENT_COL_entPhysicalUUID = 19,           /* RFC 6933 */
};

#endif
