#!/usr/bin/env python3
"""An extract made independently of simaudit's own generator, for measuring memory against findings.

    python3 benches/foreign.py ROWS DIR

writes DIR/few.csv and DIR/many.csv: the same holders (ID, name, date of birth, sex) and activation
times, row for row, in a layout and an order the generator does not use (semicolon-delimited, day-first
dates, numbers written +84 and 9 digits, rows of one holder scattered through the file, no registry of
points). In few.csv a holder's rows are spread over the three carriers (at most three at one), so it
breaks almost nothing: its only findings come from ID numbers drawn twice for different people (the
serial is random). many.csv keeps each holder at one carrier, damages
each row's values independently (names, dates of birth, sex, ID numbers, issue dates, numbers given
twice, night-time activations), and gives about a third of the reused IDs' later rows another
identity (one to three per ID), so that most rows break one rule or more. In each file a row's number
and point belong to its carrier there, so they differ where the carriers differ (about a third of
rows). Comparing the two runs' peaks shows what the findings add
to a run's memory, on rows laid out independently of the generator. Standard library only; deterministic
(seed 7).
"""
import os
import random
import sys
from datetime import date, datetime, timedelta

if len(sys.argv) != 3 or not sys.argv[1].isdigit():
    sys.exit("usage: python3 benches/foreign.py ROWS DIR")
ROWS = int(sys.argv[1])
OUT = sys.argv[2]
os.makedirs(OUT, exist_ok=True)
rng = random.Random(7)

PROVINCES = [1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35,
             36, 37, 38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70,
             72, 74, 75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
          "Hồ", "Ngô", "Dương", "Lý", "Trịnh", "Đinh", "Lâm", "Mai"]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Thành", "Xuân", "Ngọc", "Đình"]
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Minh", "Phương", "Diệu", "Hồng", "Mỹ"]
GIVEN_M = ["Hùng", "Dũng", "Tuấn", "Nam", "Long", "Quân", "Sơn", "Phúc", "Khoa", "Bảo", "Huy", "Đạt",
           "Thắng", "Trung", "Hiếu", "Cường", "Tài", "Vinh", "Khánh", "Lộc"]
GIVEN_F = ["Lan", "Hương", "Mai", "Linh", "Trang", "Hà", "Ngọc", "Thảo", "Vy", "Yến", "Nhung", "Hằng",
           "Oanh", "Phượng", "Quyên", "Tâm", "Uyên", "Xuân", "Ánh", "Duyên"]
JUNK = ["khach hang", "test", "abc123", "Nguyen", "KH le", "xxx", "Khách hàng vãng lai", "aaa bbb"]
PREFIXES = {"VIETTEL": ["96", "97", "98", "86", "32", "33", "34", "35", "36", "37", "38", "39"],
            "VINAPHONE": ["91", "94", "88", "81", "82", "83", "84", "85"],
            "MOBIFONE": ["90", "93", "70", "76", "77", "78", "79"]}
CARRIERS = ["VIETTEL"] * 5 + ["VINAPHONE"] * 3 + ["MOBIFONE"] * 2
POINTS = {c: [f"{c[:2]}{k:05d}" for k in range(6000)] for c in PREFIXES}
START = datetime(2023, 1, 1)
HEADER = "carrier;msisdn;subscriber_type;full_name;date_of_birth;gender;id_number;id_issue_date;activation_time;point_id;point_type\n"


def dmy(d):
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def identity(male):
    return (rng.choice(FAMILY), rng.choice(MIDDLE_M if male else MIDDLE_F),
            rng.choice(GIVEN_M if male else GIVEN_F))


def holder():
    """(ID number, name, date of birth, male) of a new holder: a 12-digit card that agrees with them."""
    male = rng.random() < 0.5
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(55 * 365))
    century = (0 if born.year < 2000 else 2) + (0 if male else 1)
    number = f"{rng.choice(PROVINCES):03d}{century}{born.year % 100:02d}{rng.randrange(10**6):06d}"
    return number, " ".join(identity(male)), born, male


# Holders: 62% of rows hold an ID of their own, the rest share one 2–9 times.
slots = []
while len(slots) < ROWS:
    uses = 1 if rng.random() < 0.62 / (0.62 + 0.38 / 5.5) else rng.randint(2, 9)
    h = holder()
    carrier = rng.choice(CARRIERS)
    for u in range(uses):
        slots.append((h, carrier, u))
del slots[ROWS:]
rng.shuffle(slots)

counters = {(v, p): 0 for v in ("few", "many") for ps in PREFIXES.values() for p in ps}
ROTATION = list(PREFIXES)
few = open(f"{OUT}/few.csv", "w", encoding="utf-8", newline="")
many = open(f"{OUT}/many.csv", "w", encoding="utf-8", newline="")
few.write(HEADER)
many.write(HEADER)
numbers = []
others = {}
buf_few, buf_many = [], []
for (number, name, born, male), carrier, use in slots:
    # A clean holder's uses are spread over the three carriers (at most 3 at one: within the limit);
    # in many.csv they stay with one carrier.
    spread = ROTATION[(ROTATION.index(carrier) + use) % 3]

    def msisdn_at(variant, carrier):
        prefix = rng.choice(PREFIXES[carrier])
        k = counters[variant, prefix]
        counters[variant, prefix] += 1
        # Distinct numbers: k times a number prime to 10^7 stays distinct modulo 10^7.
        return f"+84 {prefix} {(k * 7919 + 12345) % 10**7:07d}"

    msisdn_few, msisdn = msisdn_at("few", spread), msisdn_at("many", carrier)
    at = START + timedelta(days=rng.randrange(3 * 365), minutes=rng.randrange(8 * 60, 17 * 60))
    issued = at.date() - timedelta(days=rng.randrange(30, 700))
    point = rng.randrange(6000)
    kind = rng.choice(["agent", "carrier_store"])
    sex = "Nam" if male else "Nữ"
    row = [spread, msisdn_few, "individual", name, dmy(born), sex, number, dmy(issued),
           f"{dmy(at)} {at.hour:02d}:{at.minute:02d}", POINTS[spread][point], kind]
    buf_few.append(";".join(row))
    row[0], row[1], row[9] = carrier, msisdn, POINTS[carrier][point]
    r = rng.random
    if use > 0 and r() < 0.35:
        # Another identity on the same ID (kept per holder: the same few names recur).
        alts = others.setdefault(number, [" ".join(identity(r() < 0.5)) for _ in range(rng.randint(1, 3))])
        row[3] = rng.choice(alts)
    if r() < 0.15:
        row[3] = rng.choice(JUNK)
    if r() < 0.10:
        row[4] = ""
    if r() < 0.10:
        row[5] = "Nữ" if male else "Nam"
    if r() < 0.08:
        row[6] = f"{rng.choice([0, 3, 5, 99, 100]):03d}" + number[3:]
    elif r() < 0.05:
        row[6] = number[:-1]
    elif r() < 0.08:
        row[6] = number[:4] + f"{(born.year + 7) % 100:02d}" + number[6:]
    if r() < 0.10:
        row[7] = dmy(issued - timedelta(days=365 * 20))
    if numbers and r() < 0.08:
        row[1] = rng.choice(numbers)
    elif len(numbers) < 100000 or r() < 0.01:
        numbers.append(msisdn) if len(numbers) < 100000 else numbers.__setitem__(rng.randrange(100000), msisdn)
    if r() < 0.05:
        row[8] = f"{dmy(at)} {rng.choice([0, 1, 2, 3, 23]):02d}:{at.minute:02d}"
    buf_many.append(";".join(row))
    if len(buf_few) == 100000:
        few.write("\n".join(buf_few) + "\n")
        many.write("\n".join(buf_many) + "\n")
        buf_few, buf_many = [], []
few.write("".join(x + "\n" for x in buf_few))
many.write("".join(x + "\n" for x in buf_many))
few.close()
many.close()
