# entity.profile: ENTITY-MIB (RFC 6933) identity of the chassis: the first
# entPhysicalTable row whose entPhysicalClass is chassis(3).
profile entity "ENTITY-MIB chassis row (RFC 6933): serial, vendor, model, firmware"
priority 10
detect exists .1.3.6.1.2.1.47.1.1.1.1.5          # entPhysicalClass

serial       .1.3.6.1.2.1.47.1.1.1.1.11 where .1.3.6.1.2.1.47.1.1.1.1.5 = 3   # entPhysicalSerialNum
vendor       .1.3.6.1.2.1.47.1.1.1.1.12 where .1.3.6.1.2.1.47.1.1.1.1.5 = 3   # entPhysicalMfgName
model        .1.3.6.1.2.1.47.1.1.1.1.13 where .1.3.6.1.2.1.47.1.1.1.1.5 = 3   # entPhysicalModelName
firmware     .1.3.6.1.2.1.47.1.1.1.1.10 where .1.3.6.1.2.1.47.1.1.1.1.5 = 3   # entPhysicalSoftwareRev
