// Hotline complaint text for the simulator, written for this project (not taken from any corpus): the
// everyday problems a Shanghai 12345 line hears, with a road, lane (弄) or housing estate (小区) nearby.
import type { Random } from '../domain/random';

/** A generated call: the text and where, plus a clearly fake, masked caller. */
export interface Complaint {
  /** What the caller says. */
  text: string;
  /** The address the caller gives. */
  address: string;
  /** Masked surname, e.g. 张**. */
  callerName: string;
  /** Masked mobile number, e.g. 138****1234. */
  callerPhone: string;
}

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方邹熊白孟秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const ESTATE_STEMS = [
  '康乐',
  '华苑',
  '梅陇',
  '宛平',
  '永嘉',
  '日晖',
  '汇翠',
  '丰谷',
  '景福',
  '兴业',
  '长宁',
  '新泾',
  '和平',
  '安顺',
  '春晖',
  '金桥',
  '东安',
  '南丹',
  '嘉善',
  '延吉',
];
const ESTATE_SUFFIXES = ['小区', '新村', '苑', '公寓', '花园', '大楼', '坊'];
const FALLBACK_ROADS = ['中山路', '人民路', '建国路'];

/** Each template gets {road}, {road2}, {num}, {estate}, {bld}, {room}. */
const TEMPLATES: readonly string[] = [
  '{road}{num}号附近的工地晚上十点以后还在施工，噪音很大，严重影响休息，请尽快处理。',
  '{estate}楼下的广场舞音响开得太响，每天晚上到九点多，老人孩子都没法休息。',
  '{road}{num}号门口人行道上的井盖松动了，走上去咣当响，担心有人踩空，请尽快派人维修。',
  '{road}靠近{road2}路口有个井盖不见了，只放了一个锥桶，晚上很危险！',
  '{estate}{bld}号楼电梯困人了，里面有老人，物业电话打不通，请马上帮忙联系处理！',
  '{estate}{bld}号楼的老电梯这个月已经坏了三次，开门关门都有异响，居民很担心安全。',
  '{estate}{bld}号楼楼上住户水管漏水，渗到我家天花板，物业协调不了，请求帮助。',
  '{road}上的消防栓一直在漏水，地面全是水，已经好几天了，请相关部门处理。',
  '下雨后{road}和{road2}路口积水很深，电动车都过不去，请疏通下水道。',
  '{road}靠近{road2}路口经常有车辆违章停车，占用非机动车道，早晚高峰很危险。',
  '{estate}门口的消防通道被私家车堵住了，万一有火情消防车进不来。',
  '{estate}垃圾厢房已经两天没清运了，气味很大，招苍蝇，请督促清运。',
  '{road}{num}号旁边有人乱倒建筑垃圾，堆了很久没人管。',
  '{road}{num}号附近一排路灯晚上都不亮，路很黑，老人晚上出门不安全。',
  '{estate}底楼饭店油烟直排，楼上住户窗户都不能开，多次反映没有解决。',
  '{estate}{bld}号楼{room}室疑似群租，进出人员很多，存在消防隐患。',
  '{road}地铁站出口有流动摊贩占道经营，影响行人通行，请城管处理。',
  '{road}上的行道树树枝断了挂在电线上，刮风的时候很危险，请尽快修剪。',
  '{road}{num}号门前人行道地砖破损翘起，已经有人绊倒，请尽快修复。',
  '{road}{num}号门口共享单车堆得很多，把盲道都占了。',
  '{estate}有人从楼道里拉电线给电动车充电，飞线充电很危险，请管一管。',
  '{estate}{bld}号楼楼道里闻到很重的煤气味，不知道是哪家漏气，请派人来查看！',
  '{road}{num}号小饭店卫生条件很差，吃完以后肚子不舒服，请市场监管部门检查。',
  '{estate}附近有工厂排放刺鼻气味，晚上尤其明显，怀疑偷排废气。',
];

function fill(template: string, rnd: Random, roads: readonly string[]): { text: string; address: string } {
  const list = roads.length ? roads : FALLBACK_ROADS;
  const road = rnd.pick(list);
  const road2 = rnd.pick(list.filter((r) => r !== road).length ? list.filter((r) => r !== road) : list);
  const num = rnd.int(1, 1200);
  // Half the estates are Shanghai lanes named after their road (e.g. 天平路365弄), half named compounds.
  const estate = rnd.chance(0.5)
    ? `${road}${rnd.int(10, 1000)}弄`
    : `${rnd.pick(ESTATE_STEMS)}${rnd.pick(ESTATE_SUFFIXES)}`;
  const bld = rnd.int(1, 40);
  const room = `${rnd.int(1, 19)}0${rnd.int(1, 6)}`;
  const text = template
    .replace('{road}', road)
    .replace('{road2}', road2)
    .replace('{num}', String(num))
    .replace('{estate}', estate)
    .replace('{bld}', String(bld))
    .replace('{room}', room);
  const address = template.includes('{estate}')
    ? `${estate}${template.includes('{bld}') ? `${bld}号楼` : ''}`
    : template.includes('{num}')
      ? `${road}${num}号`
      : template.includes('{road2}')
        ? `${road}${road2}路口`
        : road;
  return { text, address };
}

/** A random complaint located on one of the given roads (the caller's street). */
export function complaint(rnd: Random, roads: readonly string[]): Complaint {
  const { text, address } = fill(rnd.pick(TEMPLATES), rnd, roads);
  const prefix = rnd.pick(['138', '139', '137', '135', '150', '158', '186', '189', '176', '133']);
  return {
    text,
    address,
    callerName: `${SURNAMES[rnd.int(0, SURNAMES.length)]}**`,
    callerPhone: `${prefix}****${String(rnd.int(0, 10_000)).padStart(4, '0')}`,
  };
}

/** What decides the topic mix of a call in the past: the season, rain, and how far into the year it is. */
export interface CallContext {
  /** "summer" (Jun–Sep), "winter" (Dec–Feb) or "mild". */
  season: 'summer' | 'winter' | 'mild';
  /** Rain that day. */
  rain: 'none' | 'rain' | 'storm';
  /** 0 at the start of the history, 1 at its end: some topics grow over the year. */
  progress: number;
}

/** Topics of one season or weather, and topics that grow over the year; {…} as in TEMPLATES. */
const SUMMER: readonly string[] = [
  '{estate}{bld}号楼对面饭店的空调外机整夜轰鸣，天气热窗户又不能关，根本睡不着。',
  '{road}{num}号商铺的空调外机噪音很大，还往人行道上滴水，请处理。',
  '天太热了{estate}又停水了，已经大半天没有水，老人在家很难受，请尽快恢复供水。',
  '{road}{num}号附近的垃圾桶夏天没人及时清运，臭味很重，苍蝇蚊子很多。',
  '{estate}绿化带里积水孳生蚊子，晚上被咬得没法下楼乘凉，请安排灭蚊。',
];
const WINTER: readonly string[] = [
  '{estate}{bld}号楼一楼燃气表附近有煤气味，天冷门窗都关着，担心中毒，请尽快派人检查！',
  '{estate}老房子冬天水管冻裂了，楼道里都是水，已经结冰很滑，请求帮助维修。',
  '{estate}{bld}号楼燃气灶打不着火，燃气压力不够，天冷家里没法做饭。',
  '{road}{num}号附近有人在路边烧火取暖，烟很大，有火灾隐患。',
];
const RAIN: readonly string[] = [
  '下大雨{road}{num}号门口积水到小腿，雨水井盖被冲开了，行人很危险！',
  '{estate}地势低，一下雨小区门口就积水，车库进水，请水务部门疏通排水管。',
  '{road}和{road2}路口下雨后积水严重，公交车开过去水都溅到人行道上。',
];
const GROWING: readonly string[] = [
  '{estate}{bld}号楼有人把电动车推进楼道充电，电线从窗口拉出来，太危险了。',
  '{road}{num}号门口共享单车和电动车乱停，人行道都走不过去，请清理。',
  '{road}{num}号附近的快递驿站把包裹堆在人行道上，占道严重，行人只能走机动车道。',
];

/** A complaint of the past, its topic drawn by season, rain and the time of year. */
export function complaintIn(rnd: Random, roads: readonly string[], ctx: CallContext): Complaint {
  const u = rnd.next();
  const seasonal = ctx.season === 'summer' ? SUMMER : ctx.season === 'winter' ? WINTER : null;
  const rainShare = ctx.rain === 'storm' ? 0.3 : ctx.rain === 'rain' ? 0.12 : 0;
  let pool: readonly string[] = TEMPLATES;
  if (u < rainShare) pool = RAIN;
  else if (seasonal && u < rainShare + 0.22) pool = seasonal;
  else if (u < rainShare + 0.22 + 0.04 + 0.1 * ctx.progress) pool = GROWING;
  const { text, address } = fill(rnd.pick(pool), rnd, roads);
  return { text, address, ...caller(rnd) };
}

function caller(rnd: Random): Pick<Complaint, 'callerName' | 'callerPhone'> {
  const prefix = rnd.pick(['138', '139', '137', '135', '150', '158', '186', '189', '176', '133']);
  return {
    callerName: `${SURNAMES[rnd.int(0, SURNAMES.length)]}**`,
    callerPhone: `${prefix}****${String(rnd.int(0, 10_000)).padStart(4, '0')}`,
  };
}

/** The demo's planted stories as citizens tell them; {place} is the story's place, {num} a house number. */
const STORY_TEXTS: Readonly<Record<StoryTopic, readonly string[]>> = {
  elevator: [
    '{place}{bld}号楼的老电梯又坏了，这周已经第二次停运，老人上下楼非常困难，请尽快维修。',
    '{place}{bld}号楼电梯又出故障，运行时异响还突然停住，老电梯每周都坏，请彻底检修。',
    '{place}{bld}号楼电梯又停了，物业说在等配件，老旧电梯经常坏，居民出行很不方便。',
  ],
  manhole: [
    '{place}{num}号附近的井盖又翘起来了，车开过去咣当响，井盖翘起很危险，请尽快处理。',
    '{place}上的井盖又翘起来了，{num}号门口这个井盖修了又翘，晚上骑车很危险。',
    '{place}{num}号门前井盖又翘起来了，井盖松动不平，已经反映过好几次。',
  ],
  noise: [
    '{place}{num}号酒吧半夜音乐声太大，凌晨一两点还在吵，楼上居民根本没法睡觉。',
    '{place}酒吧街晚上噪音扰民，{num}号附近酒吧门口客人喧哗到凌晨，请管一管。',
    '{place}{num}号的酒吧音响开得震天响，每到周末夜里吵到凌晨，严重影响休息。',
  ],
  flood: [
    '{place}一下大雨就积水，{num}弄小区门口积水没过脚踝，车库也进水了，请疏通排水。',
    '{place}{num}弄又积水了，雨一大积水就退不下去，老人出不了门，请水务部门处理。',
    '下暴雨{place}{num}弄门口积水很深，下水道排不出去，每次下雨都淹，请尽快解决。',
  ],
  food: [
    '{place}熟食摊卖的卤菜有异味，吃了以后拉肚子，天热食品放在外面没有冷藏，请检查。',
    '{place}里的水产摊位卫生很差，夏天肉和熟食都没有冷藏，苍蝇乱飞，请市场监管检查食品安全。',
    '在{place}买的熟食变质发酸了，天这么热摊位不冷藏，担心食品安全，请查处。',
  ],
};

/** The planted stories' topics. */
export type StoryTopic = 'elevator' | 'manhole' | 'noise' | 'flood' | 'food';

/** A citizen's report of a planted story at `place` (a compound, road, street or market name). */
export function storyComplaint(
  rnd: Random,
  topic: StoryTopic,
  place: string,
  buildings: readonly number[],
): Complaint {
  const bld = rnd.pick(buildings.length ? buildings : [1]);
  const num = rnd.int(1, 400);
  const text = rnd
    .pick(STORY_TEXTS[topic])
    .replace('{place}', place)
    .replace('{bld}', String(bld))
    .replace('{num}', String(num));
  const address =
    topic === 'elevator'
      ? `${place}${bld}号楼`
      : topic === 'food'
        ? place
        : topic === 'flood'
          ? `${place}${num}弄`
          : `${place}${num}号`;
  return { text, address, ...caller(rnd) };
}
