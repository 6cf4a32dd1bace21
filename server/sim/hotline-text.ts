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
