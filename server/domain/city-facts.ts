// Published facts about the demo city (central Shanghai: Xuhui and Jing'an) and the organisation that
// runs it: districts, streets/towns with centroids and official areas, departments and sensor families.
// Pure data: the generator turns it into rows and approximate geometry.
//
// Departments are per district: each district has its own functional bureaus and its own service
// center, so codes are `${districtCode}-${departmentKey}` (e.g. "xuhui-housing"). Street offices are
// one per street, coded `${streetCode}-office`. A sensor family names the *key* of the bureau that owns
// it; the owning department of one sensor is that key in the sensor's district (ownerDepartmentCode).
import type { SensorFamily } from './sensor-state';

export type DistrictCode = 'xuhui' | 'jingan';

/** 区: a district of the demo city. */
export interface DistrictFact {
  /** Stable code, used in department codes. */
  code: DistrictCode;
  /** Chinese name, e.g. 徐汇区. */
  name: string;
  /** Chinese short name without 区, used inside bureau names (上海市公安局徐汇分局). */
  shortName: string;
  /** English name. */
  nameEn: string;
}

/** 街道 / 镇: a street (sub-district) or town. */
export interface StreetFact {
  /** Stable code: district prefix ("xh" / "ja") and the pinyin of the name. */
  code: string;
  /** The district it belongs to. */
  district: DistrictCode;
  /** Chinese name, e.g. 天平路街道. */
  name: string;
  /** English name, e.g. "Tianping Road Subdistrict". */
  nameEn: string;
  /** 街道 (street) or 镇 (town). */
  kind: 'street' | 'town';
  /** Approximate centroid longitude (WGS84). */
  lon: number;
  /** Approximate centroid latitude (WGS84). */
  lat: number;
  /** Official area in km². */
  areaKm2: number;
  /** A few real roads in or along the street, for generated complaint addresses. */
  roads: readonly string[];
}

/** 委办局 / 行政服务中心: one department that every district has. */
export interface DepartmentFact {
  /** Key inside a district; the department code is `${district}-${key}`. */
  key: string;
  /** "functional" (委办局) or "service_center" (区行政服务中心). */
  kind: 'functional' | 'service_center';
  /** Chinese name pattern: {district} is 徐汇区, {short} is 徐汇. */
  name: string;
  /** English name pattern: {district} is "Xuhui District", {short} is "Xuhui". */
  nameEn: string;
}

/** A family of sensors (井盖, 消防栓, …). */
export interface SensorFamilyFact {
  /** Family code, also sensor_types.code. */
  code: SensorFamily;
  /** Prefix of device codes, e.g. "MH" → MH-000001. */
  prefix: string;
  /** Chinese name. */
  name: string;
  /** English name. */
  nameEn: string;
  /** Key of the district bureau that owns and repairs devices of this family. */
  ownerDepartmentKey: string;
  /** Seconds without any report after which a device counts as offline (sensor_types.heartbeat_seconds). */
  heartbeatSeconds: number;
  /** How often a healthy device reports, in seconds (a few reports fit in one heartbeat window). */
  reportIntervalSeconds: number;
  /** Share of all sensors, in per cent (the shares sum to 100). */
  sharePct: number;
}

export const DISTRICTS: readonly DistrictFact[] = [
  { code: 'xuhui', name: '徐汇区', shortName: '徐汇', nameEn: 'Xuhui District' },
  { code: 'jingan', name: '静安区', shortName: '静安', nameEn: "Jing'an District" },
];

const xh = (s: Omit<StreetFact, 'district'>): StreetFact => ({ ...s, district: 'xuhui' });
const ja = (s: Omit<StreetFact, 'district'>): StreetFact => ({ ...s, district: 'jingan' });

// prettier-ignore
/** The 27 streets and towns; centroids and areas from the project brief (DESIGN.md). */
export const STREETS: readonly StreetFact[] = [
  xh({ code: 'xh-lingyun', name: '凌云路街道', nameEn: 'Lingyun Road Subdistrict', kind: 'street', lon: 121.41927, lat: 31.13987, areaKm2: 3.57, roads: ['凌云路', '梅陇路', '罗城路', '龙川北路', '华石路'] }),
  xh({ code: 'xh-huajing', name: '华泾镇', nameEn: 'Huajing Town', kind: 'town', lon: 121.44982, lat: 31.12066, areaKm2: 7.23, roads: ['华泾路', '龙吴路', '华发路', '景洪路', '石龙路'] }),
  xh({ code: 'xh-tianping', name: '天平路街道', nameEn: 'Tianping Road Subdistrict', kind: 'street', lon: 121.44546, lat: 31.2067, areaKm2: 2.68, roads: ['天平路', '衡山路', '宛平路', '建国西路', '永嘉路'] }),
  xh({ code: 'xh-kangjian', name: '康健新村街道', nameEn: 'Kangjian Xincun Subdistrict', kind: 'street', lon: 121.41096, lat: 31.15815, areaKm2: 4.05, roads: ['康健路', '桂林路', '浦北路', '寿昌路', '长兴路'] }),
  xh({ code: 'xh-xujiahui', name: '徐家汇街道', nameEn: 'Xujiahui Subdistrict', kind: 'street', lon: 121.43102, lat: 31.19232, areaKm2: 4.05, roads: ['漕溪北路', '虹桥路', '天钥桥路', '华山路', '南丹路'] }),
  xh({ code: 'xh-xietu', name: '斜土路街道', nameEn: 'Xietu Road Subdistrict', kind: 'street', lon: 121.45918, lat: 31.19189, areaKm2: 3.18, roads: ['斜土路', '大木桥路', '瑞金南路', '日晖东路', '中山南二路'] }),
  xh({ code: 'xh-fenglin', name: '枫林路街道', nameEn: 'Fenglin Road Subdistrict', kind: 'street', lon: 121.44708, lat: 31.19153, areaKm2: 2.68, roads: ['枫林路', '东安路', '医学院路', '零陵路', '肇嘉浜路'] }),
  xh({ code: 'xh-hunan', name: '湖南路街道', nameEn: 'Hunan Road Subdistrict', kind: 'street', lon: 121.44275, lat: 31.21447, areaKm2: 1.72, roads: ['湖南路', '武康路', '复兴西路', '五原路', '淮海中路'] }),
  xh({ code: 'xh-caohejing', name: '漕河泾街道', nameEn: 'Caohejing Subdistrict', kind: 'street', lon: 121.43248, lat: 31.16321, areaKm2: 5.21, roads: ['漕宝路', '虹漕南路', '钦州南路', '石龙路', '龙华西路'] }),
  xh({ code: 'xh-tianlin', name: '田林街道', nameEn: 'Tianlin Subdistrict', kind: 'street', lon: 121.41935, lat: 31.18062, areaKm2: 4.13, roads: ['田林路', '桂林路', '柳州路', '钦州路', '宜山路'] }),
  xh({ code: 'xh-hongmei', name: '虹梅路街道', nameEn: 'Hongmei Road Subdistrict', kind: 'street', lon: 121.40024, lat: 31.17297, areaKm2: 4.26, roads: ['虹梅路', '宜山路', '桂平路', '钦江路', '虹漕路'] }),
  xh({ code: 'xh-changqiao', name: '长桥街道', nameEn: 'Changqiao Subdistrict', kind: 'street', lon: 121.44057, lat: 31.14207, areaKm2: 5.85, roads: ['罗秀路', '龙川北路', '百色路', '罗香路', '龙吴路'] }),
  xh({ code: 'xh-longhua', name: '龙华街道', nameEn: 'Longhua Subdistrict', kind: 'street', lon: 121.45205, lat: 31.16686, areaKm2: 6.09, roads: ['龙华中路', '龙华西路', '龙吴路', '云锦路', '丰谷路'] }),
  ja({ code: 'ja-linfen', name: '临汾路街道', nameEn: 'Linfen Road Subdistrict', kind: 'street', lon: 121.45692, lat: 31.31464, areaKm2: 2.13, roads: ['临汾路', '阳曲路', '汾西路', '场中路', '保德路'] }),
  ja({ code: 'ja-gonghexin', name: '共和新路街道', nameEn: 'Gonghexin Road Subdistrict', kind: 'street', lon: 121.45253, lat: 31.26789, areaKm2: 2.71, roads: ['共和新路', '洛川中路', '中山北路', '宝昌路', '延长中路'] }),
  ja({ code: 'ja-beizhan', name: '北站街道', nameEn: 'Beizhan Subdistrict', kind: 'street', lon: 121.46895, lat: 31.24696, areaKm2: 1.75, roads: ['海宁路', '浙江北路', '西藏北路', '安庆路', '天目东路'] }),
  ja({ code: 'ja-nanjingxi', name: '南京西路街道', nameEn: 'West Nanjing Road Subdistrict', kind: 'street', lon: 121.4525, lat: 31.22749, areaKm2: 1.61, roads: ['南京西路', '延安中路', '茂名北路', '威海路', '石门一路'] }),
  ja({ code: 'ja-daning', name: '大宁路街道', nameEn: 'Daning Road Subdistrict', kind: 'street', lon: 121.4486, lat: 31.28997, areaKm2: 6.25, roads: ['大宁路', '广中西路', '平型关路', '共和新路', '彭江路'] }),
  ja({ code: 'ja-tianmuxi', name: '天目西路街道', nameEn: 'West Tianmu Road Subdistrict', kind: 'street', lon: 121.45094, lat: 31.24976, areaKm2: 1.93, roads: ['天目西路', '恒丰路', '长安路', '大统路', '梅园路'] }),
  ja({ code: 'ja-baoshan', name: '宝山路街道', nameEn: 'Baoshan Road Subdistrict', kind: 'street', lon: 121.46861, lat: 31.25903, areaKm2: 1.61, roads: ['宝山路', '中兴路', '青云路', '东宝兴路', '宝通路'] }),
  ja({ code: 'ja-pengpuxincun', name: '彭浦新村街道', nameEn: 'Pengpu Xincun Subdistrict', kind: 'street', lon: 121.44016, lat: 31.31402, areaKm2: 3.26, roads: ['临汾路', '平顺路', '共康路', '闻喜路', '岭南路'] }),
  ja({ code: 'ja-pengpu', name: '彭浦镇', nameEn: 'Pengpu Town', kind: 'town', lon: 121.43019, lat: 31.28967, areaKm2: 7.84, roads: ['沪太路', '江场西路', '灵石路', '场中路', '永和路'] }),
  ja({ code: 'ja-caojiadu', name: '曹家渡街道', nameEn: 'Caojiadu Subdistrict', kind: 'street', lon: 121.43033, lat: 31.23176, areaKm2: 1.48, roads: ['万航渡路', '武定西路', '康定路', '余姚路', '镇宁路'] }),
  ja({ code: 'ja-jiangning', name: '江宁路街道', nameEn: 'Jiangning Road Subdistrict', kind: 'street', lon: 121.44332, lat: 31.23714, areaKm2: 1.84, roads: ['江宁路', '武宁南路', '昌平路', '西康路', '海防路'] }),
  ja({ code: 'ja-shimenerlu', name: '石门二路街道', nameEn: 'Shimen Second Road Subdistrict', kind: 'street', lon: 121.45563, lat: 31.23638, areaKm2: 1.06, roads: ['石门二路', '新闸路', '北京西路', '泰兴路', '山海关路'] }),
  ja({ code: 'ja-zhijiangxi', name: '芷江西路街道', nameEn: 'West Zhijiang Road Subdistrict', kind: 'street', lon: 121.45874, lat: 31.25628, areaKm2: 1.57, roads: ['芷江西路', '交通路', '中山北路', '光复路', '普善路'] }),
  ja({ code: 'ja-jingansi', name: '静安寺街道', nameEn: "Jing'an Temple Subdistrict", kind: 'street', lon: 121.43867, lat: 31.22294, areaKm2: 1.57, roads: ['愚园路', '华山路', '常德路', '乌鲁木齐北路', '延安西路'] }),
];

// prettier-ignore
/** The bureaus and the service center every district has. */
export const DEPARTMENTS: readonly DepartmentFact[] = [
  { key: 'service-center', kind: 'service_center', name: '{district}行政服务中心', nameEn: '{district} Administrative Service Center' },
  { key: 'city-management', kind: 'functional', name: '{district}城市管理行政执法局', nameEn: '{district} City Management and Law Enforcement Bureau' },
  { key: 'housing', kind: 'functional', name: '{district}房屋管理局', nameEn: '{district} Housing Administration Bureau' },
  { key: 'market-supervision', kind: 'functional', name: '{district}市场监督管理局', nameEn: '{district} Administration for Market Regulation' },
  { key: 'ecology', kind: 'functional', name: '{district}生态环境局', nameEn: '{district} Ecology and Environment Bureau' },
  { key: 'construction', kind: 'functional', name: '{district}建设和管理委员会', nameEn: '{district} Construction and Transport Commission' },
  { key: 'greening', kind: 'functional', name: '{district}绿化和市容管理局', nameEn: '{district} Greening and City Appearance Bureau' },
  { key: 'water', kind: 'functional', name: '{district}水务局', nameEn: '{district} Water Authority' },
  { key: 'fire', kind: 'functional', name: '上海市{district}消防救援支队', nameEn: 'Shanghai {short} Fire and Rescue Division' },
  { key: 'police', kind: 'functional', name: '上海市公安局{short}分局', nameEn: 'Shanghai Public Security Bureau, {short} Branch' },
  { key: 'health', kind: 'functional', name: '{district}卫生健康委员会', nameEn: '{district} Health Commission' },
  { key: 'education', kind: 'functional', name: '{district}教育局', nameEn: '{district} Education Bureau' },
  { key: 'human-resources', kind: 'functional', name: '{district}人力资源和社会保障局', nameEn: '{district} Human Resources and Social Security Bureau' },
  { key: 'civil-affairs', kind: 'functional', name: '{district}民政局', nameEn: '{district} Civil Affairs Bureau' },
  { key: 'emergency', kind: 'functional', name: '{district}应急管理局', nameEn: '{district} Emergency Management Bureau' },
];

// prettier-ignore
/**
 * Sensor families and their owners: road manhole covers belong to the construction and transport
 * commission (road administration), hydrants to the fire service, old elevators to market supervision
 * (special equipment safety), drainage level gauges to the water authority, street lights to greening
 * and city appearance (lighting), gas/smoke detectors in old housing to the housing bureau.
 */
export const SENSOR_FAMILIES: readonly SensorFamilyFact[] = [
  { code: 'manhole', prefix: 'MH', name: '井盖', nameEn: 'Manhole cover', ownerDepartmentKey: 'construction', heartbeatSeconds: 7200, reportIntervalSeconds: 1800, sharePct: 55 },
  { code: 'hydrant', prefix: 'HY', name: '消防栓', nameEn: 'Fire hydrant', ownerDepartmentKey: 'fire', heartbeatSeconds: 7200, reportIntervalSeconds: 1800, sharePct: 18 },
  { code: 'elevator', prefix: 'EL', name: '老旧电梯', nameEn: 'Old elevator', ownerDepartmentKey: 'market-supervision', heartbeatSeconds: 900, reportIntervalSeconds: 300, sharePct: 12 },
  { code: 'drain', prefix: 'DR', name: '排水液位', nameEn: 'Drain water level', ownerDepartmentKey: 'water', heartbeatSeconds: 1800, reportIntervalSeconds: 600, sharePct: 7 },
  { code: 'streetlight', prefix: 'SL', name: '路灯', nameEn: 'Street light', ownerDepartmentKey: 'greening', heartbeatSeconds: 3600, reportIntervalSeconds: 900, sharePct: 5 },
  { code: 'gas', prefix: 'GS', name: '燃气烟感', nameEn: 'Gas and smoke detector', ownerDepartmentKey: 'housing', heartbeatSeconds: 1800, reportIntervalSeconds: 600, sharePct: 3 },
];

/** A concrete department row for one district. */
export interface DistrictDepartment {
  /** `${districtCode}-${key}`. */
  code: string;
  /** Chinese name. */
  name: string;
  /** English name. */
  nameEn: string;
  /** "functional" or "service_center". */
  kind: DepartmentFact['kind'];
  /** The district it belongs to. */
  district: DistrictCode;
}

/** The departments of one district with their names filled in. */
export function departmentsOf(district: DistrictFact): DistrictDepartment[] {
  const fill = (pattern: string, full: string, short: string) =>
    pattern.replace('{district}', full).replace('{short}', short);
  const shortEn = district.nameEn.replace(/ District$/, '');
  return DEPARTMENTS.map((d) => ({
    code: `${district.code}-${d.key}`,
    name: fill(d.name, district.name, district.shortName),
    nameEn: fill(d.nameEn, district.nameEn, shortEn),
    kind: d.kind,
    district: district.code,
  }));
}

/** The street office of a street: 街道办事处 for a street, 镇人民政府 for a town. */
export function streetOfficeOf(street: StreetFact): { code: string; name: string; nameEn: string } {
  return street.kind === 'town'
    ? { code: `${street.code}-office`, name: `${street.name}人民政府`, nameEn: `${street.nameEn} Government` }
    : { code: `${street.code}-office`, name: `${street.name}办事处`, nameEn: `${street.nameEn} Office` };
}

/** The code of the department that owns a family's devices in a district, e.g. "jingan-fire". */
export function ownerDepartmentCode(family: SensorFamily, district: DistrictCode): string {
  const fact = SENSOR_FAMILIES.find((f) => f.code === family);
  if (!fact) throw new Error(`unknown sensor family "${family}"`);
  return `${district}-${fact.ownerDepartmentKey}`;
}
