"""What the mall sells on instalments: product, merchant, price range in yuan."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    name: str
    merchant: str
    min_yuan: int
    max_yuan: int


PRODUCTS: tuple[Product, ...] = (
    Product("华为 Mate 60 Pro 手机", "华为官方旗舰店", 5000, 8000),
    Product("小米 14 手机", "小米之家", 3000, 5000),
    Product("Apple iPhone 15 手机", "Apple 授权专营店", 5000, 9000),
    Product("OPPO Reno 11 手机", "OPPO 官方商城", 2000, 3500),
    Product("vivo X100 手机", "vivo 官方旗舰店", 3500, 5500),
    Product("海尔 对开门冰箱", "海尔智家", 3000, 9000),
    Product("美的 变频空调", "美的官方旗舰店", 2500, 7000),
    Product("格力 云佳空调", "格力电器专卖店", 2500, 6000),
    Product("小天鹅 滚筒洗衣机", "苏宁易购", 2000, 5000),
    Product("TCL 65寸 智能电视", "国美电器", 2500, 6000),
    Product("顾家家居 真皮沙发", "顾家家居", 6000, 20000),
    Product("全友 实木双人床", "全友家居", 3000, 10000),
    Product("林氏家居 餐桌椅套装", "林氏家居", 1500, 5000),
    Product("宜家 PAX 衣柜", "宜家家居", 1000, 4000),
    Product("欧派 整体橱柜", "欧派家居", 12000, 30000),
    Product("联想 拯救者 笔记本电脑", "联想专卖店", 6000, 12000),
    Product("华为 MateBook 14 笔记本电脑", "华为官方旗舰店", 5000, 8000),
    Product("雅迪 电动自行车", "雅迪电动车", 1500, 4000),
    Product("爱玛 电动车", "爱玛科技", 900, 3000),
    Product("九牧 智能马桶", "九牧卫浴", 2000, 6000),
)

TERMS_MONTHS = (3, 6, 12)
FEE_RATE_BY_TERM = {3: 0.0, 6: 0.015, 12: 0.036}
"""Share of the principal added as a fee, split into the instalments with the principal."""
