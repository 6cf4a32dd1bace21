// A labelled set of hotline tickets for measuring problem grouping: each ticket carries the problem a
// dispatcher would file it under (`truth`). It holds repeat reports told in different words, weekly
// recurring faults, two problems of one category a few hundred metres apart, the same wording far away or
// months later, and one-off complaints. Positions are metres east/north of a point in Xuhui.
import type { ProblemTicket } from './problems';

const BASE_LON = 121.437;
const BASE_LAT = 31.188;
const BASE_TIME = Date.parse('2026-03-01T02:00:00Z');
const M_PER_DEG_LAT = 111_320;
const M_PER_DEG_LON = M_PER_DEG_LAT * Math.cos((BASE_LAT * Math.PI) / 180);

/** When the fixture is looked at. */
export const FIXTURE_NOW = new Date('2026-06-20T02:00:00Z');

/** A fixture ticket and the problem it belongs to. */
export interface LabelledTicket extends ProblemTicket {
  /** The true problem: tickets with the same truth belong together. */
  truth: string;
}

type Row = [truth: string, category: string, x: number, y: number, day: number, text: string];

// prettier-ignore
const ROWS: Row[] = [
  // A pothole outside one house number, reported four times in ten days.
  ['pothole-yangqu', 'construction.roads', 0, 0, 0, '阳曲路12号门口路面有个大坑，电动车经过差点摔倒'],
  ['pothole-yangqu', 'construction.roads', 15, 5, 3, '阳曲路12号门口马路上坑很深，下雨积水看不见'],
  ['pothole-yangqu', 'construction.roads', -10, 8, 6, '您好，阳曲路12号附近路面塌陷出现大坑，请尽快修补'],
  ['pothole-yangqu', 'construction.roads', 5, -12, 10, '阳曲路12号门口的坑还没补，今天又有人摔了'],
  // Night-time construction noise on one block, over three weeks.
  ['site-noise-yongjia', 'construction.site', 800, 0, 20, '永嘉路工地晚上十一点还在打桩，吵得睡不着'],
  ['site-noise-yongjia', 'construction.site', 830, 20, 22, '永嘉路那个工地半夜还在施工打桩，噪音太大'],
  ['site-noise-yongjia', 'construction.site', 780, -30, 27, '永嘉路工地夜间施工噪音扰民，凌晨一点还在干活'],
  ['site-noise-yongjia', 'construction.site', 820, 40, 31, '永嘉路工地又是半夜施工，机器声音很吵'],
  ['site-noise-yongjia', 'construction.site', 790, 10, 36, '市民来电反映永嘉路工地夜间施工噪音大，影响休息'],
  ['site-noise-yongjia', 'construction.site', 805, -5, 40, '永嘉路工地晚上施工打桩，已经投诉多次了还是吵'],
  // The same site's muck trucks: same category, next door, a different problem.
  ['site-mud-yongjia', 'construction.site', 850, 50, 24, '永嘉路工地渣土车带泥上路，路面全是泥浆'],
  ['site-mud-yongjia', 'construction.site', 870, 60, 29, '永嘉路工地出来的渣土车把马路弄得全是泥'],
  ['site-mud-yongjia', 'construction.site', 860, 40, 35, '永嘉路渣土车带泥上路，车轮没冲洗，路面很脏'],
  // One compound's elevator breaks every week.
  ['lift-rihui', 'construction.elevators', 0, 800, 0, '日晖新村5号楼电梯又坏了，老人爬不了楼'],
  ['lift-rihui', 'construction.elevators', 5, 805, 7, '日晖新村5号楼电梯故障停运，上个星期刚修过'],
  ['lift-rihui', 'construction.elevators', -5, 795, 14, '日晖新村5号楼电梯又停了，每周都坏一次'],
  ['lift-rihui', 'construction.elevators', 0, 800, 21, '日晖新村5号楼电梯困人了，有老人被困在里面'],
  ['lift-rihui', 'construction.elevators', 8, 798, 28, '日晖新村5号楼电梯还是老毛病，又坏了'],
  ['lift-rihui', 'construction.elevators', 0, 802, 35, '日晖新村5号楼的电梯故障，修了又坏'],
  // The same elevator two months after the last repair: a new problem, not the old one chaining on.
  ['lift-rihui-again', 'construction.elevators', 0, 800, 96, '日晖新村5号楼电梯又坏了，老人下不了楼'],
  ['lift-rihui-again', 'construction.elevators', 3, 801, 102, '日晖新村5号楼电梯故障，又停运了'],
  // Another compound 400 m away with its own elevator trouble.
  ['lift-kangle', 'construction.elevators', 400, 800, 2, '康乐小区8号楼电梯门关不上，经常停在半层'],
  ['lift-kangle', 'construction.elevators', 405, 805, 9, '康乐小区8号楼电梯停在半层门打不开'],
  ['lift-kangle', 'construction.elevators', 398, 797, 16, '康乐小区8号楼电梯门关不上又坏了'],
  // The same wording in a compound three kilometres away.
  ['lift-far', 'construction.elevators', 3000, 2000, 10, '华亭小区5号楼电梯又坏了，老人爬不了楼'],
  ['lift-far', 'construction.elevators', 3005, 2003, 15, '华亭小区5号楼电梯故障停运'],
  // Garbage at the Kangle compound: next to its elevator, another category.
  ['garbage-kangle', 'city.sanitation', 400, 790, 40, '康乐小区12号楼门口垃圾堆了三天没人清运，臭气熏天'],
  ['garbage-kangle', 'city.sanitation', 410, 795, 41, '康乐小区12号楼下垃圾好几天没清运了，很臭'],
  ['garbage-kangle', 'city.sanitation', 395, 785, 43, '康乐小区12号楼垃圾没人收，苍蝇很多'],
  // Flooded car park, then a blocked sewer in the same estate a month later.
  ['flood-huayuan', 'utilities.drainage', -800, 0, 50, '华苑小区地下车库积水很深，车都开不出去'],
  ['flood-huayuan', 'utilities.drainage', -790, 10, 50, '华苑小区车库积水严重，汽车没法开出去'],
  ['flood-huayuan', 'utilities.drainage', -805, -5, 51, '华苑小区地下车库又积水了，水有半米深'],
  ['flood-huayuan', 'utilities.drainage', -800, 5, 53, '华苑小区地库积水一直没排，车泡在水里'],
  ['sewer-huayuan', 'utilities.drainage', -850, 60, 80, '华苑小区下水道堵了，污水从地漏里冒出来'],
  ['sewer-huayuan', 'utilities.drainage', -845, 55, 82, '华苑小区3号楼下水道堵塞，污水倒灌进厨房'],
  // A row of street lights out along 400 m of one road.
  ['lights-meilong', 'city.street_lights', 0, -800, 60, '梅陇路一排路灯晚上全部不亮，黑乎乎的不安全'],
  ['lights-meilong', 'city.street_lights', 100, -800, 62, '梅陇路上路灯一排都不亮，晚上走路很黑'],
  ['lights-meilong', 'city.street_lights', 200, -805, 65, '梅陇路路灯坏了好几盏，晚上不亮'],
  ['lights-meilong', 'city.street_lights', 300, -800, 68, '梅陇路路灯晚上不亮，已经一个星期了'],
  ['lights-meilong', 'city.street_lights', 400, -798, 71, '梅陇路东段路灯全部不亮'],
  // The same complaint on a road far away.
  ['lights-yishan', 'city.street_lights', -2500, -2000, 62, '宜山路一排路灯晚上全部不亮，很黑'],
  ['lights-yishan', 'city.street_lights', -2490, -2005, 66, '宜山路路灯不亮，晚上走路不安全'],
  // A bar loud every weekend, and square dancing 250 m away: one category, two problems.
  ['bar-jiashan', 'environment.noise', 1500, 1500, 5, '嘉善路酒吧周末晚上音乐开得很大，吵到半夜'],
  ['bar-jiashan', 'environment.noise', 1510, 1505, 12, '嘉善路酒吧又是半夜放音乐，声音很响睡不着'],
  ['bar-jiashan', 'environment.noise', 1495, 1498, 19, '嘉善路那家酒吧音乐太吵，每个周末都这样'],
  ['bar-jiashan', 'environment.noise', 1505, 1502, 26, '嘉善路酒吧音响声音很大，凌晨还在放音乐'],
  ['dance-jiashan', 'environment.noise', 1750, 1500, 8, '嘉善路口小公园广场舞音箱太响，每天晚上跳到九点'],
  ['dance-jiashan', 'environment.noise', 1755, 1495, 11, '小公园跳广场舞的音响开得太大了，很吵'],
  ['dance-jiashan', 'environment.noise', 1745, 1505, 15, '嘉善路小公园广场舞噪音扰民，音箱声音太大'],
  // Shared bikes on the same road: another category.
  ['bikes-jiashan', 'transport.bikes', 1500, 1550, 30, '嘉善路共享单车乱停，把盲道都占了'],
  ['bikes-jiashan', 'transport.bikes', 1520, 1540, 32, '嘉善路共享单车停放混乱，盲道被单车占满'],
  ['bikes-jiashan', 'transport.bikes', 1490, 1560, 37, '嘉善路上共享单车堆在人行道上，走不过去'],
  // A missing manhole cover, and a loose one 100 m along the same road.
  ['manhole-missing', 'utilities.manholes', -1500, 800, 70, '宛平南路88弄门口人行道上窨井盖没了，很危险'],
  ['manhole-missing', 'utilities.manholes', -1505, 805, 70, '宛平南路88弄门口窨井盖缺失，晚上有人差点踩进去'],
  ['manhole-missing', 'utilities.manholes', -1498, 798, 71, '宛平南路88弄井盖丢了，一个大洞没人管'],
  ['manhole-loose', 'utilities.manholes', -1400, 800, 72, '宛平南路上有个井盖一直响，车压过去哐哐的'],
  ['manhole-loose', 'utilities.manholes', -1395, 805, 76, '宛平南路井盖松动，车开过去哐当哐当响'],
  // Cooking fumes from one restaurant.
  ['fumes-restaurant', 'environment.air', -1500, -500, 45, '隔壁饭店油烟直排到我们小区，窗户都不敢开'],
  ['fumes-restaurant', 'environment.air', -1505, -495, 47, '楼下饭店油烟直接排到小区里，窗户开不了'],
  ['fumes-restaurant', 'environment.air', -1495, -505, 52, '小区楼下饭店油烟很大，熏得家里全是味道'],
  ['fumes-restaurant', 'environment.air', -1500, -500, 58, '饭店油烟直排问题还没解决，每天中午晚上都很呛'],
  // Cars blocking a fire lane.
  ['firelane-anshun', 'transport.parking', 2000, -1000, 84, '安顺路小区门口消防通道被私家车堵死了'],
  ['firelane-anshun', 'transport.parking', 2010, -995, 86, '安顺路那个小区门口的消防通道停满了私家车'],
  ['firelane-anshun', 'transport.parking', 1995, -1005, 90, '安顺路小区消防通道又被车堵了，救护车进不来'],
  // Unpaid wages at one company.
  ['wages-company', 'labour.wages', 2500, 0, 88, '漕河泾某科技公司拖欠我三个月工资不发'],
  ['wages-company', 'labour.wages', 2505, 5, 90, '漕河泾那家科技公司拖欠员工工资三个月了'],
  ['wages-company', 'labour.wages', 2500, 0, 93, '公司拖欠工资，老板说没钱发，我们好几个同事都没拿到'],
  // Water turning yellow in one estate.
  ['water-xinjing', 'utilities.water_supply', -2000, 1500, 100, '新泾家园自来水发黄有异味，已经两天了'],
  ['water-xinjing', 'utilities.water_supply', -1995, 1505, 101, '新泾家园自来水浑浊发黄，有股怪味'],
  ['water-xinjing', 'utilities.water_supply', -2005, 1495, 102, '新泾家园水龙头出来的水是黄的，不敢喝'],
  // One-off complaints, some next to the problems above.
  ['single-1', 'construction.roads', 200, 0, 4, '阳曲路人行道地砖松动翘起来了，容易绊倒'],
  ['single-2', 'construction.elevators', 10, 790, 60, '日晖新村物业说电梯要加装，想问问申请流程'],
  ['single-3', 'city.sanitation', -800, 20, 50, '华苑小区门口绿化带里有人乱倒建筑垃圾'],
  ['single-4', 'utilities.drainage', 0, -790, 61, '梅陇路雨水口被落叶堵住了，下雨积水'],
  ['single-5', 'environment.noise', 1600, 1500, 40, '嘉善路上装修公司周日早上七点就开始电钻'],
  ['single-6', 'transport.parking', 1500, 1500, 20, '嘉善路酒吧门口晚上车辆乱停，占了非机动车道'],
  ['single-7', 'city.street_lights', 800, 0, 25, '永嘉路工地围挡旁边路灯被拆了，晚上很黑'],
  ['single-8', 'utilities.manholes', -1500, 810, 100, '宛平南路88弄井盖冒污水，味道很大'],
  ['single-9', 'environment.air', -1450, -500, 49, '小区旁边有人焚烧垃圾，烟很大'],
  ['single-10', 'market.consumer', 0, 0, 12, '阳曲路一家健身房关门了，办的年卡没人退钱'],
  ['single-11', 'education.training', 2500, 0, 70, '漕河泾一家培训机构关门跑路，预付的学费退不了'],
  ['single-12', 'labour.social_insurance', 2500, 10, 91, '公司一直没给我交社保，现在看病用不了医保'],
  ['single-13', 'city.green_space', 0, 805, 30, '日晖新村里的树枝被台风刮断了没人修剪'],
  ['single-14', 'transport.traffic', 100, -800, 66, '梅陇路和龙川北路路口红绿灯坏了，一直黄灯闪'],
  ['single-15', 'city.street_vendors', 1500, 1450, 33, '嘉善路菜场门口有人占道摆摊卖水果，行人走不过去'],
  ['single-16', 'construction.site', 800, 900, 30, '日晖新村旁边工地围挡倒了，压到了人行道'],
  ['single-17', 'utilities.water_supply', -800, 0, 52, '华苑小区停水了，也没有提前通知'],
  ['single-18', 'health.public_health', -2000, 1500, 20, '新泾家园垃圾房老鼠很多，希望灭鼠'],
  ['single-19', 'environment.noise', -800, 0, 90, '华苑小区楼上邻居半夜拖椅子，声音很大'],
  ['single-20', 'construction.elevators', 3000, 2000, 80, '华亭小区电梯年检标志过期了，是否安全'],
];

/** The fixture tickets, ids in row order. */
export const LABELLED_TICKETS: readonly LabelledTicket[] = ROWS.map(
  ([truth, category, x, y, day, text], i) => ({
    id: i + 1,
    truth,
    text,
    category,
    lon: BASE_LON + x / M_PER_DEG_LON,
    lat: BASE_LAT + y / M_PER_DEG_LAT,
    at: new Date(BASE_TIME + day * 86_400_000 + (i % 7) * 3_600_000),
    streetId: null,
    streetName: null,
    caseId: null,
    caseCode: null,
    caseState: null,
    departmentId: null,
  }),
);
