// The hotline's two-level category taxonomy (大类 / 小类): what a complaint is about, which department
// handles it by default and how many working hours it gets. Pure data; the Open311 service list, the
// classifier's labels and the case deadlines all come from here.

/** A top-level group (大类). */
export interface CategoryGroup {
  /** Stable code, e.g. "city". */
  code: string;
  /** Chinese name. */
  name: string;
  /** English name. */
  nameEn: string;
  /**
   * The matching label of the seven top-level labels common on Chinese government message boards
   * (劳动和社会保障, 城乡建设, 教育文体, 卫生计生, 交通运输, 商贸旅游, 环境保护), used to compare the classifier
   * with externally labelled messages; null when no label fits.
   */
  boardLabel: string | null;
}

/** A category (小类): the unit of classification, routing and deadlines. */
export interface CaseCategory {
  /** Stable code "<group>.<name>", also the Open311 service_code. */
  code: string;
  /** The group's code. */
  group: string;
  /** Chinese name. */
  name: string;
  /** English name. */
  nameEn: string;
  /**
   * Who handles it by default: the key of a district department (see DEPARTMENTS in city-facts.ts), or
   * "street-office" for the street office (街道办事处) of the street it happened in.
   */
  departmentKey: string;
  /** Working hours from signing to the resolution deadline at normal priority. */
  hours: number;
  /** 1 urgent (safety of people), 2 normal, 3 low. */
  priority: 1 | 2 | 3;
  /** Comma-free keywords shown in the Open311 service list. */
  keywords: readonly string[];
}

export const CATEGORY_GROUPS: readonly CategoryGroup[] = [
  { code: 'city', name: '城市管理', nameEn: 'City management', boardLabel: '城乡建设' },
  {
    code: 'construction',
    name: '城乡建设与住房',
    nameEn: 'Construction and housing',
    boardLabel: '城乡建设',
  },
  { code: 'utilities', name: '市政公用', nameEn: 'Public utilities', boardLabel: '城乡建设' },
  { code: 'safety', name: '公共安全', nameEn: 'Public safety', boardLabel: '城乡建设' },
  { code: 'environment', name: '环境保护', nameEn: 'Environmental protection', boardLabel: '环境保护' },
  { code: 'transport', name: '交通运输', nameEn: 'Transport', boardLabel: '交通运输' },
  {
    code: 'market',
    name: '商贸旅游与市场监管',
    nameEn: 'Commerce, tourism and market',
    boardLabel: '商贸旅游',
  },
  {
    code: 'labour',
    name: '劳动和社会保障',
    nameEn: 'Labour and social security',
    boardLabel: '劳动和社会保障',
  },
  { code: 'education', name: '教育文体', nameEn: 'Education, culture and sports', boardLabel: '教育文体' },
  { code: 'health', name: '卫生健康', nameEn: 'Health', boardLabel: '卫生计生' },
  // Complaints about the online government services themselves (网上办事大厅, 一网通办, 随申办, approval
  // systems). The board files such a post under the service it was for (入学报名 → 教育文体), so no label.
  { code: 'egov', name: '政务服务', nameEn: 'Online government services', boardLabel: null },
  { code: 'other', name: '其他', nameEn: 'Other', boardLabel: null },
];

const c = (
  code: string,
  name: string,
  nameEn: string,
  departmentKey: string,
  hours: number,
  priority: 1 | 2 | 3,
  keywords: string,
): CaseCategory => ({
  code,
  group: code.slice(0, code.indexOf('.')),
  name,
  nameEn,
  departmentKey,
  hours,
  priority,
  keywords: keywords.split(' '),
});

// prettier-ignore
export const CATEGORIES: readonly CaseCategory[] = [
  c('city.sanitation', '环境卫生', 'Street cleaning and litter', 'street-office', 24, 2, 'litter garbage cleaning'),
  c('city.waste_sorting', '垃圾分类与清运', 'Waste sorting and collection', 'street-office', 24, 2, 'waste sorting collection'),
  c('city.street_vendors', '占道经营与乱设摊', 'Street vending and pavement occupation', 'street-office', 24, 2, 'vendors pavement stalls'),
  c('city.illegal_construction', '违法搭建', 'Illegal construction', 'street-office', 80, 2, 'illegal structure extension'),
  c('city.advertising', '户外广告与店招', 'Outdoor advertising and shop signs', 'greening', 40, 3, 'billboard sign'),
  c('city.green_space', '绿化养护', 'Trees and green space', 'greening', 40, 3, 'trees park lawn'),
  c('city.street_lights', '路灯照明', 'Street lighting', 'greening', 24, 2, 'street light lamp'),
  c('construction.roads', '道路设施', 'Roads and pavements', 'construction', 40, 2, 'pothole road pavement'),
  c('construction.site', '工地施工', 'Construction sites', 'construction', 24, 2, 'site night work dust'),
  c('construction.property', '物业管理', 'Property management', 'housing', 80, 3, 'property management fee'),
  c('construction.old_housing', '房屋修缮与安全', 'Housing repair and safety', 'housing', 40, 2, 'leak crack repair'),
  c('construction.elevators', '电梯故障', 'Elevator faults', 'market-supervision', 8, 1, 'elevator lift trapped'),
  c('utilities.manholes', '窨井盖', 'Manhole covers', 'construction', 8, 1, 'manhole cover missing'),
  c('utilities.water_supply', '供水', 'Water supply', 'water', 24, 2, 'water outage pressure quality'),
  c('utilities.drainage', '排水与积水', 'Drainage and flooding', 'water', 24, 2, 'flooding drain sewer'),
  c('utilities.gas', '燃气', 'Gas supply and safety', 'emergency', 8, 1, 'gas leak smell'),
  c('safety.fire', '消防安全', 'Fire safety', 'fire', 24, 1, 'fire exit hydrant hazard'),
  c('safety.sensor_alarm', '感知设备告警', 'Sensor alarm', 'service-center', 8, 1, 'sensor alarm'),
  c('environment.noise', '噪声扰民', 'Noise', 'ecology', 40, 2, 'noise music shop'),
  c('environment.air', '大气与油烟污染', 'Air pollution and cooking fumes', 'ecology', 40, 2, 'smoke fumes smell'),
  c('environment.water_pollution', '水体污染', 'Water pollution', 'ecology', 80, 2, 'river pollution discharge'),
  c('transport.parking', '违章停车', 'Illegal parking', 'police', 24, 2, 'parking blocked'),
  c('transport.traffic', '交通信号与秩序', 'Traffic signals and order', 'police', 40, 2, 'traffic signal congestion'),
  c('transport.public_transit', '公交与地铁', 'Buses and metro', 'construction', 80, 3, 'bus metro route'),
  c('transport.taxi', '出租车与网约车', 'Taxis and ride hailing', 'construction', 80, 3, 'taxi driver fare'),
  c('transport.bikes', '共享单车与非机动车', 'Shared bikes and e-bikes', 'city-management', 40, 3, 'bike e-bike'),
  c('market.food_safety', '食品安全', 'Food safety', 'market-supervision', 40, 2, 'food restaurant hygiene'),
  c('market.consumer', '消费维权', 'Consumer rights', 'market-supervision', 80, 3, 'refund prepaid card'),
  c('market.unlicensed', '无证经营', 'Unlicensed business', 'market-supervision', 80, 3, 'licence unlicensed'),
  c('market.tourism', '旅游服务', 'Tourism services', 'market-supervision', 80, 3, 'tour hotel'),
  c('labour.wages', '劳动报酬', 'Unpaid wages', 'human-resources', 40, 2, 'wages arrears salary'),
  c('labour.social_insurance', '社会保险', 'Social insurance', 'human-resources', 80, 3, 'pension insurance'),
  c('labour.employment', '就业与劳动关系', 'Employment and labour contracts', 'human-resources', 80, 3, 'contract dismissal'),
  c('labour.elderly', '养老与社会救助', 'Elderly care and social assistance', 'civil-affairs', 80, 2, 'elderly assistance'),
  c('education.schools', '学校与入学', 'Schools and enrolment', 'education', 80, 3, 'school enrolment'),
  c('education.training', '校外培训', 'Tutoring and training', 'education', 80, 3, 'training tutoring refund'),
  c('education.culture_sports', '文体设施', 'Culture and sports facilities', 'education', 80, 3, 'library gym'),
  c('health.medical', '医疗服务', 'Medical services', 'health', 80, 2, 'hospital doctor'),
  c('health.public_health', '公共卫生', 'Public health', 'health', 40, 2, 'vaccination pests'),
  c('egov.online_services', '网上办事与政务系统', 'Online services and approval systems', 'service-center', 24, 2, 'online login app approval'),
  c('other.consultation', '政策咨询', 'Policy questions', 'service-center', 40, 3, 'policy question'),
];

const BY_CODE = new Map(CATEGORIES.map((cat) => [cat.code, cat]));

/** The category with this code, or undefined. */
export function categoryByCode(code: string): CaseCategory | undefined {
  return BY_CODE.get(code);
}

/** The group with this code, or undefined. */
export function groupByCode(code: string): CategoryGroup | undefined {
  return CATEGORY_GROUPS.find((g) => g.code === code);
}

/** Working hours to resolve at a priority: urgent gets a quarter of the normal time (at least 4 h), low 1.5×. */
export function resolutionHours(category: CaseCategory, priority: 1 | 2 | 3): number {
  if (priority === 1) return Math.min(category.hours, Math.max(4, Math.ceil(category.hours / 4)));
  if (priority === 3) return Math.ceil(category.hours * 1.5);
  return category.hours;
}

/** Working hours allowed between dispatch and signing. */
export function signingHours(priority: 1 | 2 | 3): number {
  return priority === 1 ? 1 : 2;
}

/** The category a sensor alarm case gets. */
export const SENSOR_ALARM_CATEGORY = 'safety.sensor_alarm';
