"""Fill a database with a synthetic community for the page benchmarks (bench/README.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vmeste_bench DEBUG=1 \\
        .venv/bin/python bench/generate_community.py --topics 100000 --replies 1000000

Rows are written with bulk_create in batches, not through community.services: the services take
a transaction, an event and several UPDATEs per action, far too slow for a million replies. The
rows are nevertheless what the services would have left behind:

- every topic's status belongs to its kind (community.models.STATUSES_BY_KIND); a question is
  "answered" exactly when it has an official or an accepted answer, as services keep it;
- slugs come from community.slugs.slugify_title, body_html from community.markup.render_markdown
  (rendered once per template body and reused);
- Topic.reply_count, score, last_reply_by, last_activity_at and Reply.helpful_count match the
  reply and vote rows (check with --verify, which runs read-only queries);
- at most one official and one accepted reply per topic; official replies are written by
  representatives; nobody votes for their own topic or reply;
- every status change has its STATUS_CHANGED event (the thread shows them), every official or
  accepted answer its event; --all-events also writes the topic-created, reply-created and vote
  events the analytics app reads.

Runtime on the 2-core benchmark machine (PostgreSQL 15 on the same machine, shared with other
work): 100k topics / 1M replies in about 3 minutes on PostgreSQL (173 s, of which VACUUM ANALYZE
2 s); 10k / 100k in about 14 s on SQLite. Details in bench/README.md, "Results".
"""

import argparse
import math
import os
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import DatabaseError, connection, transaction  # noqa: E402
from django.db.models import Count, F, OuterRef, Q, Subquery  # noqa: E402
from django.db.models.functions import Coalesce  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Department, User  # noqa: E402
from community import models as community_models  # noqa: E402
from community.markup import render_markdown  # noqa: E402
from community.models import (  # noqa: E402
    STATUSES_BY_KIND,
    Category,
    Event,
    EventKind,
    Reply,
    ReplyVote,
    Topic,
    TopicKind,
    TopicStatus,
    TopicVote,
)
from community.slugs import slugify_title  # noqa: E402

# With DEBUG=1 (needed only because SECRET_KEY is required otherwise) Django would keep the SQL of
# every INSERT, a gigabyte of text at this scale. Nothing here needs the query log.
settings.DEBUG = False

BATCH_SIZE = 2000
PASSWORD = "vmeste-bench"

# --- Word lists. Titles combine a stem with a context and a tail, so 100k topics get thousands
# of different titles, each reading like something a bank customer would write.

QUESTION_STEMS = [
    "Как активировать карту",
    "Как заблокировать карту",
    "Как перевыпустить карту",
    "Как пополнить вклад",
    "Как закрыть вклад досрочно",
    "Где посмотреть реквизиты счёта",
    "Как подключить СБП",
    "Как отключить платные уведомления",
    "Сколько стоит обслуживание карты",
    "Как получить справку о доходах",
    "Можно ли снять наличные без комиссии",
    "Как увеличить кредитный лимит",
    "Когда начислят проценты по вкладу",
    "Как сменить номер телефона",
    "Как привязать карту к Mir Pay",
    "Как оформить ипотеку",
    "Почему списали комиссию",
    "Как вернуть деньги за покупку",
    "Где найти выписку по счёту",
    "Как открыть валютный счёт",
    "Как погасить кредит досрочно",
    "Как изменить ПИН-код",
    "Как получить налоговый вычет",
    "Как перевести деньги на карту другого банка",
]
PROBLEM_STEMS = [
    "Не проходит оплата картой",
    "Не приходит СМС-код",
    "Не работает приложение",
    "Не открывается выписка",
    "Завис перевод",
    "Дважды списали деньги",
    "Не начислен кэшбэк",
    "Не обновляется баланс",
    "Ошибка при входе",
    "Не отображается карта",
    "Банкомат не выдал деньги",
    "Не приходят push-уведомления",
    "Не проходит платёж по QR-коду",
    "Заблокировали карту без причины",
    "Не могу подтвердить перевод",
    "Пропала история операций",
]
IDEA_STEMS = [
    "Добавьте тёмную тему",
    "Сделайте вход по отпечатку пальца",
    "Верните старый дизайн",
    "Добавьте выгрузку выписки в Excel",
    "Нужен виджет баланса",
    "Добавьте кэшбэк на такси",
    "Сделайте переводы по номеру телефона бесплатными",
    "Добавьте шаблоны платежей",
    "Нужна категория расходов «Дети»",
    "Добавьте уведомления в Telegram",
    "Сделайте копилку с округлением покупок",
    "Разрешите менять дату платежа по кредиту",
    "Добавьте детскую карту",
    "Покажите прогноз расходов на месяц",
]
THANKS_STEMS = [
    "Спасибо сотруднику отделения",
    "Спасибо службе поддержки",
    "Спасибо менеджеру Анне",
    "Спасибо команде приложения",
    "Спасибо оператору горячей линии",
    "Благодарность банку",
    "Спасибо курьеру",
    "Спасибо представителю банка",
]
QUESTION_CONTEXTS = [
    " в приложении",
    " через интернет-банк",
    " в отделении",
    " за границей",
    " онлайн",
    " после смены паспорта",
    " без визита в банк",
    " по карте «Мир»",
    "",
]
PROBLEM_CONTEXTS = [
    " в приложении на Android",
    " на iPhone",
    " после обновления",
    " с утра",
    " в банкомате",
    " за границей",
    " по СБП",
    " третий день",
    " в интернет-банке",
    "",
]
IDEA_CONTEXTS = [
    " в приложении",
    " в интернет-банке",
    " для Android",
    " для iPhone",
    " для бизнеса",
    " для пенсионеров",
    "",
]
THANKS_CONTEXTS = [
    " за быстрый ответ",
    " за помощь с переводом",
    " за вежливость",
    " за решение проблемы с картой",
    " за новый дизайн",
    " за оперативность",
    " за терпение",
]
QUESTION_TAILS = ["", "", "", ", если карта другого банка", ", подскажите", " — срочно"]
PROBLEM_TAILS = ["", "", "", " — срочно", ", помогите", " (уже неделю)"]
IDEA_TAILS = ["", "", ", пожалуйста"]

FIRST_NAMES = [
    "Анна",
    "Мария",
    "Елена",
    "Ольга",
    "Наталья",
    "Татьяна",
    "Ирина",
    "Светлана",
    "Юлия",
    "Дарья",
    "Алексей",
    "Сергей",
    "Андрей",
    "Дмитрий",
    "Михаил",
    "Иван",
    "Николай",
    "Павел",
    "Артём",
    "Владимир",
]
LAST_INITIALS = "АБВГДЕЖЗИКЛМНОПРСТУФХЧШЭЮЯ"
LAST_NAMES = ["Иванова", "Смирнов", "Кузнецова", "Попов", "Васильева", "Петров", "Соколова"]

CATEGORIES = [
    ("Карты", "cards"),
    ("Вклады и счета", "deposits"),
    ("Кредиты", "loans"),
    ("Ипотека", "mortgage"),
    ("Переводы и СБП", "transfers"),
    ("Мобильное приложение", "mobile-app"),
    ("Интернет-банк", "internet-bank"),
    ("Кэшбэк и бонусы", "cashback"),
    ("Отделения и банкоматы", "offices-atms"),
    ("Бизнес", "business"),
]
DEPARTMENTS = [
    "Карточный центр",
    "Розничное кредитование",
    "Служба поддержки",
    "Цифровые каналы",
    "Вклады и инвестиции",
]
REP_TITLES = ["специалист", "ведущий специалист", "руководитель группы", "начальник отдела"]

# --- Bodies: a few Markdown templates per kind, rendered once and reused.

TOPIC_BODIES = {
    TopicKind.QUESTION: [
        "Получил карту в отделении, в приложении она не видна. Что нужно сделать?",
        "Подскажите, пожалуйста:\n\n1. где это сделать в приложении;\n2. есть ли комиссия;\n"
        "3. сколько времени займёт.",
        "Сотрудник на горячей линии сказал, что **можно только в отделении**. Это правда?",
        "Искал в разделе [Помощь](https://example.com/help), ответа не нашёл.",
        "Вопрос простой, но ответа в приложении нет. Заранее спасибо!",
    ],
    TopicKind.PROBLEM: [
        "С утра при оплате пишет «Операция отклонена». Денег на карте достаточно.\n\n"
        "Версия приложения 5.12, Android 14.",
        "Ошибка:\n\n```\nКод 502: сервис временно недоступен\n```\n\nПробовал перезагрузить.",
        "Уже звонил в поддержку, обещали перезвонить и не перезвонили. Помогите!",
        "Шаги:\n\n- открыть приложение;\n- выбрать карту;\n- нажать «Оплатить».\n\n"
        "Дальше белый экран.",
    ],
    TopicKind.IDEA: [
        "Было бы удобно, если бы это было прямо на главном экране.",
        "У других банков это давно есть. **Поддержите**, если тоже нужно!",
        "Предлагаю:\n\n1. сделать настройку;\n2. включать по умолчанию для новых клиентов.",
        "Пользуюсь приложением каждый день, этого очень не хватает.",
    ],
    TopicKind.THANKS: [
        "Хочу поблагодарить за помощь: всё решили за десять минут.",
        "Очень вежливо и быстро. Так держать!",
        "Спасибо, что не бросили с моей проблемой и довели дело до конца.",
    ],
}
REPLY_BODIES = [
    "У меня было то же самое, помогла переустановка приложения.",
    "Поддерживаю, тоже столкнулся.",
    "Попробуйте зайти в раздел «Карты» → «Настройки», там есть этот пункт.",
    "+1, актуально.",
    "А в какой версии приложения? У меня на 5.12 всё работает.",
    "Звонил на горячую линию, сказали ждать до понедельника.",
    "Спасибо, помогло!",
    "Подробнее описано [здесь](https://example.com/help/cards).",
    "Та же проблема:\n\n- Android 13;\n- приложение 5.11.\n\nПосле обновления всё началось.",
    "Уточните, пожалуйста, в каком городе отделение?",
    "Это **очень** нужно, присоединяюсь.",
    "Всё получилось, вопрос можно закрывать.",
]
OFFICIAL_BODIES = [
    "Здравствуйте! Карту можно активировать в приложении: **Карты → Активировать**. "
    "Если кнопки нет, обновите приложение до последней версии.",
    "Добрый день! Мы проверили операцию: деньги вернутся на карту в течение 3 рабочих дней. "
    "Приносим извинения за неудобства.",
    "Здравствуйте! Спасибо за идею, передали её команде приложения. Следите за статусом.",
    "Добрый день! Проблема была на нашей стороне и уже исправлена. Проверьте, пожалуйста:\n\n"
    "1. обновите приложение;\n2. перезайдите в него.\n\nЕсли не поможет, напишите здесь.",
    "Здравствуйте! Условия по вкладам опубликованы на [сайте банка](https://example.com/deposits).",
]
REP_REPLY_BODIES = [
    "Здравствуйте! Уточните, пожалуйста, дату и сумму операции, мы проверим.",
    "Добрый день! Передали обращение в профильное подразделение.",
]

# Kinds in proportion to what the Bank24 community shows: mostly questions and problems.
KIND_WEIGHTS = {
    TopicKind.QUESTION: 50,
    TopicKind.PROBLEM: 25,
    TopicKind.IDEA: 17,
    TopicKind.THANKS: 8,
}
TITLE_PARTS = {
    TopicKind.QUESTION: (QUESTION_STEMS, QUESTION_CONTEXTS, QUESTION_TAILS, "?"),
    TopicKind.PROBLEM: (PROBLEM_STEMS, PROBLEM_CONTEXTS, PROBLEM_TAILS, ""),
    TopicKind.IDEA: (IDEA_STEMS, IDEA_CONTEXTS, IDEA_TAILS, ""),
    TopicKind.THANKS: (THANKS_STEMS, THANKS_CONTEXTS, [""], "!"),
}
IDEA_STATUS_WEIGHTS = {
    TopicStatus.NEW: 40,
    TopicStatus.UNDER_REVIEW: 20,
    TopicStatus.PLANNED: 10,
    TopicStatus.IN_PROGRESS: 8,
    TopicStatus.DONE: 12,
    TopicStatus.DECLINED: 10,
}
# The way a topic walks to its final status; each step is one STATUS_CHANGED event.
STATUS_PATHS = {
    TopicStatus.UNDER_REVIEW: [TopicStatus.NEW, TopicStatus.UNDER_REVIEW],
    TopicStatus.PLANNED: [TopicStatus.NEW, TopicStatus.UNDER_REVIEW, TopicStatus.PLANNED],
    TopicStatus.IN_PROGRESS: [
        TopicStatus.NEW,
        TopicStatus.UNDER_REVIEW,
        TopicStatus.PLANNED,
        TopicStatus.IN_PROGRESS,
    ],
    TopicStatus.DONE: [
        TopicStatus.NEW,
        TopicStatus.UNDER_REVIEW,
        TopicStatus.PLANNED,
        TopicStatus.IN_PROGRESS,
        TopicStatus.DONE,
    ],
    TopicStatus.DECLINED: [TopicStatus.NEW, TopicStatus.UNDER_REVIEW, TopicStatus.DECLINED],
    TopicStatus.INVESTIGATING: [TopicStatus.OPEN, TopicStatus.INVESTIGATING],
    TopicStatus.SOLVED: [TopicStatus.OPEN, TopicStatus.INVESTIGATING, TopicStatus.SOLVED],
    TopicStatus.CANNOT_REPRODUCE: [
        TopicStatus.OPEN,
        TopicStatus.INVESTIGATING,
        TopicStatus.CANNOT_REPRODUCE,
    ],
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--topics", type=int, default=10_000)
    parser.add_argument("--replies", type=int, default=100_000, help="total, across all topics")
    parser.add_argument(
        "--users", type=int, default=0, help="customers (default: a quarter of --topics, ≥ 500)"
    )
    parser.add_argument("--representatives", type=int, default=40)
    parser.add_argument("--days", type=int, default=3 * 365, help="history length")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--chunk", type=int, default=1000, help="topics per transaction")
    parser.add_argument(
        "--all-events",
        action="store_true",
        help="also write topic-created, reply-created and vote events (doubles the row count)",
    )
    parser.add_argument("--verify", action="store_true", help="check the counters afterwards")
    parser.add_argument("--force", action="store_true", help="add to a database that has topics")
    return parser.parse_args()


def skewed(n: int, power: float = 2.5) -> int:
    """An index in [0, n) biased towards 0: a few members write most of the posts."""
    return min(n - 1, int(n * random.random() ** power))


def title_for(kind: str) -> str:
    stems, contexts, tails, end = TITLE_PARTS[kind]
    return random.choice(stems) + random.choice(contexts) + random.choice(tails) + end


def reply_counts(topics: int, replies: int) -> list[int]:
    """Replies per topic: a tenth of the topics get none, the rest a heavy-tailed share, so a few
    threads run to many pages. Sums to exactly `replies`."""
    weights = [
        0.0 if random.random() < 0.1 else min(random.paretovariate(1.3), 300.0)
        for _ in range(topics)
    ]
    total = sum(weights) or 1.0
    counts = [math.floor(w / total * replies) for w in weights]
    with_replies = [i for i, w in enumerate(weights) if w] or list(range(topics))
    for _ in range(replies - sum(counts)):
        counts[random.choice(with_replies)] += 1
    return counts


def between(start: datetime, end: datetime, power: float = 1.0) -> datetime:
    """A moment in [start, end]; power > 1 leans towards start."""
    return start + (end - start) * random.random() ** power


def ensure_people(args: argparse.Namespace, run: str) -> tuple[list[int], list[int], int]:
    """Customers and representatives; returns (customer ids, representative ids, owner id)."""
    password = make_password(PASSWORD)
    departments = list(Department.objects.all())
    if not departments:
        departments = Department.objects.bulk_create(
            [Department(name=name, position=i) for i, name in enumerate(DEPARTMENTS)]
        )
    staff = [
        User(
            username=f"{run}rep{i}",
            display_name=f"{random.choice(FIRST_NAMES)} {random.choice(LAST_NAMES)}",
            email=f"{run}rep{i}@bank.example",
            password=password,
            is_representative=True,
            is_moderator=i < 3,
            is_community_owner=i == 0,
            title=random.choice(REP_TITLES),
            department=departments[i % len(departments)],
        )
        for i in range(args.representatives)
    ]
    User.objects.bulk_create(staff, batch_size=BATCH_SIZE)
    customer_ids: list[int] = []
    n_customers = args.users or max(500, args.topics // 4)
    for start in range(0, n_customers, 10_000):
        batch = [
            User(
                username=f"{run}user{i}",
                display_name=f"{random.choice(FIRST_NAMES)} {random.choice(LAST_INITIALS)}.",
                email=f"{run}user{i}@mail.example",
                password=password,
            )
            for i in range(start, min(start + 10_000, n_customers))
        ]
        User.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        customer_ids += [user.pk for user in batch]
    return customer_ids, [user.pk for user in staff], staff[0].pk


def ensure_categories() -> list[int | None]:
    ids = list(Category.objects.values_list("pk", flat=True))
    if not ids:
        created = Category.objects.bulk_create(
            [
                Category(name=name, slug=slug, position=i)
                for i, (name, slug) in enumerate(CATEGORIES)
            ]
        )
        ids = [category.pk for category in created]
    # One topic in ten has no category: customers often skip the field.
    return ids + [None] * max(1, len(ids) // 9)


class Generator:
    def __init__(self, args: argparse.Namespace, customers: list[int], reps: list[int]):
        self.args = args
        self.customers = customers
        self.reps = reps
        self.now = timezone.now()
        self.topic_bodies = {
            kind: [(body, render_markdown(body)) for body in bodies]
            for kind, bodies in TOPIC_BODIES.items()
        }
        self.reply_bodies = [(body, render_markdown(body)) for body in REPLY_BODIES]
        self.official_bodies = [(body, render_markdown(body)) for body in OFFICIAL_BODIES]
        self.rep_bodies = [(body, render_markdown(body)) for body in REP_REPLY_BODIES]
        self.totals = dict.fromkeys(
            ["topics", "replies", "official", "accepted", "topic_votes", "reply_votes", "events"], 0
        )

    def customer(self) -> int:
        return self.customers[skewed(len(self.customers))]

    def voters(self, k: int, exclude: int) -> list[int]:
        """k distinct customers, not `exclude` (the author)."""
        k = min(k, len(self.customers) - 1)
        chosen = random.sample(self.customers, k + 1)
        return [user for user in chosen if user != exclude][:k]

    def write_chunk(self, plans: list[tuple[datetime, str, int]], categories: list) -> None:
        """Build and insert the topics of `plans` (created_at, kind, reply count), their replies,
        votes and events, in one transaction."""
        now = self.now
        topics: list[Topic] = []
        threads: list[list[dict]] = []
        steps: list[list[tuple]] = []  # per topic: (event kind, at, actor, reply index, data)
        topic_voters: list[list[int]] = []
        for created, kind, n_replies in plans:
            author = self.customer()
            span = max(now - created, timedelta(minutes=1))
            window = min(span, timedelta(days=random.choice([2, 7, 30, 120])))
            times = sorted(between(created, created + window, 2.0) for _ in range(n_replies))
            replies = []
            for at in times:
                roll = random.random()
                if roll < 0.06:
                    rep_author, body = random.choice(self.reps), random.choice(self.rep_bodies)
                    replies.append({"author": rep_author, "at": at, "body": body})
                elif roll < 0.2:
                    replies.append(
                        {"author": author, "at": at, "body": random.choice(self.reply_bodies)}
                    )
                else:
                    replies.append(
                        {
                            "author": self.customer(),
                            "at": at,
                            "body": random.choice(self.reply_bodies),
                        }
                    )
            events: list[tuple] = []
            official_at = official_by = None
            if replies and kind != TopicKind.THANKS:
                chance = {TopicKind.QUESTION: 0.55, TopicKind.PROBLEM: 0.5, TopicKind.IDEA: 0.3}
                if random.random() < chance[kind]:
                    index = random.randrange(min(3, len(replies)))
                    rep = random.choice(self.reps)
                    replies[index].update(
                        author=rep, body=random.choice(self.official_bodies), official=rep
                    )
                    official_at, official_by = replies[index]["at"], rep
                    events.append((EventKind.OFFICIAL_ANSWERED, official_at, rep, index, {}))
            accepted_at = None
            if kind == TopicKind.QUESTION and replies and random.random() < 0.2:
                candidates = [i for i, r in enumerate(replies) if r["author"] != author]
                if candidates:
                    index = random.choice(candidates)
                    replies[index]["accepted"] = True
                    accepted_at = min(
                        now, replies[index]["at"] + timedelta(hours=random.uniform(0, 48))
                    )
                    events.append((EventKind.ANSWER_ACCEPTED, accepted_at, author, index, {}))

            status = self.status_for(kind, official_at, accepted_at)
            events += self.status_events(
                kind, status, created, (official_at, official_by), (accepted_at, author)
            )
            # As the services keep it: replies and status changes move last_activity_at.
            changes = [e[1] for e in events if e[0] == EventKind.STATUS_CHANGED]
            last_at = max([created] + [r["at"] for r in replies] + changes)
            score_voters = self.voters(self.topic_vote_count(kind), exclude=author)
            title = title_for(kind)
            body, body_html = random.choice(self.topic_bodies[kind])
            topics.append(
                Topic(
                    kind=kind,
                    title=title,
                    slug=slugify_title(title),
                    body=body,
                    body_html=body_html,
                    author_id=author,
                    category_id=random.choice(categories),
                    status=status,
                    score=len(score_voters),
                    reply_count=len(replies),
                    view_count=len(replies) * random.randint(5, 40) + random.randint(0, 300),
                    last_reply_by_id=replies[-1]["author"] if replies else None,
                    last_activity_at=last_at,
                    is_locked=random.random() < 0.01,
                    is_hidden=random.random() < 0.005,
                    created_at=created,
                )
            )
            threads.append(replies)
            steps.append(events)
            topic_voters.append(score_voters)

        with transaction.atomic():
            Topic.objects.bulk_create(topics, batch_size=BATCH_SIZE)
            reply_rows: list[Reply] = []
            helpful: list[list[int]] = []
            for topic, replies in zip(topics, threads, strict=True):
                for r in replies:
                    official = r.get("official")
                    voters = self.voters(self.reply_vote_count(bool(official)), r["author"])
                    reply_rows.append(
                        Reply(
                            topic_id=topic.pk,
                            author_id=r["author"],
                            body=r["body"][0],
                            body_html=r["body"][1],
                            is_official=bool(official),
                            marked_official_by_id=official,
                            marked_official_at=r["at"] if official else None,
                            is_accepted=r.get("accepted", False),
                            helpful_count=len(voters),
                            created_at=r["at"],
                        )
                    )
                    helpful.append(voters)
            Reply.objects.bulk_create(reply_rows, batch_size=BATCH_SIZE)

            votes = [
                TopicVote(
                    topic_id=topic.pk, user_id=user, created_at=between(topic.created_at, now)
                )
                for topic, users in zip(topics, topic_voters, strict=True)
                for user in users
            ]
            TopicVote.objects.bulk_create(votes, batch_size=BATCH_SIZE)
            reply_votes = [
                ReplyVote(
                    reply_id=reply.pk, user_id=user, created_at=between(reply.created_at, now)
                )
                for reply, users in zip(reply_rows, helpful, strict=True)
                for user in users
            ]
            ReplyVote.objects.bulk_create(reply_votes, batch_size=BATCH_SIZE)

            event_rows = []
            first = 0
            for topic, replies, events in zip(topics, threads, steps, strict=True):
                for kind, at, actor, index, data in events:
                    reply_id = reply_rows[first + index].pk if index is not None else None
                    event_rows.append(
                        Event(
                            kind=kind,
                            topic_id=topic.pk,
                            reply_id=reply_id,
                            actor_id=actor,
                            data=data,
                            created_at=at,
                        )
                    )
                first += len(replies)
            if self.args.all_events:
                event_rows += self.activity_events(topics, reply_rows, votes, reply_votes)
            Event.objects.bulk_create(event_rows, batch_size=BATCH_SIZE)

        self.totals["topics"] += len(topics)
        self.totals["replies"] += len(reply_rows)
        self.totals["official"] += sum(r.is_official for r in reply_rows)
        self.totals["accepted"] += sum(r.is_accepted for r in reply_rows)
        self.totals["topic_votes"] += len(votes)
        self.totals["reply_votes"] += len(reply_votes)
        self.totals["events"] += len(event_rows)

    def status_for(self, kind: str, official_at, accepted_at) -> str:
        if kind == TopicKind.QUESTION:
            # As services._sync_question_status keeps it.
            answered = official_at or accepted_at
            return TopicStatus.ANSWERED if answered else TopicStatus.OPEN
        if kind == TopicKind.PROBLEM:
            if official_at:
                options = [TopicStatus.SOLVED] * 5 + [
                    TopicStatus.INVESTIGATING,
                    TopicStatus.CANNOT_REPRODUCE,
                ]
            else:
                options = [TopicStatus.OPEN] * 4 + [TopicStatus.INVESTIGATING]
            return random.choice(options)
        if kind == TopicKind.IDEA:
            statuses = list(IDEA_STATUS_WEIGHTS)
            return random.choices(statuses, weights=IDEA_STATUS_WEIGHTS.values())[0]
        return STATUSES_BY_KIND[kind][0]

    def status_events(self, kind, status, created, official, accepted) -> list:
        """STATUS_CHANGED events leading from the initial status to `status`. `official` and
        `accepted` are (when, by whom), when is None if the topic has no such answer."""
        if status == STATUSES_BY_KIND[kind][0]:
            return []
        official_at = official[0]
        if kind == TopicKind.QUESTION:
            # The service flips the question to answered at the first official or accepted mark,
            # acting as whoever marked it.
            at, actor = min((m for m in (official, accepted) if m[0]), key=lambda m: m[0])
            return [(EventKind.STATUS_CHANGED, at, actor, None, {"from": "open", "to": status})]
        path = STATUS_PATHS[status]
        start = official_at or between(created, min(self.now, created + timedelta(days=3)))
        end = min(self.now, start + timedelta(days=random.choice([1, 14, 60])))
        moments = sorted(between(start, end) for _ in path[1:])
        actor = random.choice(self.reps)
        return [
            (EventKind.STATUS_CHANGED, at, actor, None, {"from": before, "to": after})
            for at, before, after in zip(moments, path, path[1:], strict=False)
        ]

    def topic_vote_count(self, kind: str) -> int:
        # Ideas collect "+1"s; problems "me too"s; questions and thanks few.
        scale = {
            TopicKind.IDEA: 4.0,
            TopicKind.PROBLEM: 2.0,
            TopicKind.QUESTION: 1.0,
            TopicKind.THANKS: 0.5,
        }[kind]
        if random.random() < 0.4:
            return 0
        return min(int((random.paretovariate(1.4) - 1) * scale * 2), 3000)

    def reply_vote_count(self, official: bool) -> int:
        if official:
            return min(int(random.paretovariate(1.3) * 2), 500)
        return 0 if random.random() < 0.85 else min(int(random.paretovariate(1.8)), 100)

    def activity_events(self, topics, replies, votes, reply_votes) -> list[Event]:
        rows = [
            Event(
                kind=EventKind.TOPIC_CREATED,
                topic_id=t.pk,
                actor_id=t.author_id,
                data={"topic_kind": t.kind},
                created_at=t.created_at,
            )
            for t in topics
        ]
        reps = set(self.reps)
        rows += [
            Event(
                kind=EventKind.REPLY_CREATED,
                topic_id=r.topic_id,
                reply_id=r.pk,
                actor_id=r.author_id,
                data={"by_representative": r.author_id in reps},
                created_at=r.created_at,
            )
            for r in replies
        ]
        rows += [
            Event(
                kind=EventKind.TOPIC_VOTED,
                topic_id=v.topic_id,
                actor_id=v.user_id,
                created_at=v.created_at,
            )
            for v in votes
        ]
        topic_of = {r.pk: r.topic_id for r in replies}
        rows += [
            Event(
                kind=EventKind.REPLY_VOTED,
                topic_id=topic_of[v.reply_id],
                reply_id=v.reply_id,
                actor_id=v.user_id,
                created_at=v.created_at,
            )
            for v in reply_votes
        ]
        return rows


def verify() -> dict[str, int]:
    """Rows whose counters disagree with the rows they count (read-only; all should be 0)."""

    def count_of(model, field: str):
        rows = model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field)
        return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)

    last = Reply.objects.filter(topic=OuterRef("pk")).order_by("-created_at", "-pk")
    with_last = Topic.objects.annotate(
        last_author=Subquery(last.values("author")[:1]),
        last_at=Subquery(last.values("created_at")[:1]),
    )
    return {
        "score": Topic.objects.exclude(score=count_of(TopicVote, "topic")).count(),
        "reply_count": Topic.objects.exclude(reply_count=count_of(Reply, "topic")).count(),
        "helpful_count": Reply.objects.exclude(helpful_count=count_of(ReplyVote, "reply")).count(),
        "last_reply_by": with_last.filter(
            ~Q(last_reply_by=F("last_author")) | Q(last_reply_by__isnull=True),
            last_author__isnull=False,
        ).count()
        + with_last.filter(last_author__isnull=True, last_reply_by__isnull=False).count(),
        "last_activity_at": with_last.filter(last_activity_at__lt=F("last_at")).count(),
        "two_official_or_accepted": Topic.objects.annotate(
            official=Count("replies", filter=Q(replies__is_official=True)),
            accepted=Count("replies", filter=Q(replies__is_accepted=True)),
        )
        .filter(Q(official__gt=1) | Q(accepted__gt=1))
        .count(),
        "question_status": Topic.objects.filter(kind=TopicKind.QUESTION)
        .annotate(
            answers=Count(
                "replies", filter=Q(replies__is_official=True) | Q(replies__is_accepted=True)
            )
        )
        .filter(
            Q(status=TopicStatus.ANSWERED, answers=0) | Q(status=TopicStatus.OPEN, answers__gt=0)
        )
        .count(),
    }


def main() -> None:
    args = parse_args()
    random.seed(args.seed)
    started = time.perf_counter()
    vendor = connection.vendor
    try:
        existing = Topic.objects.exists()
    except DatabaseError as error:
        sys.exit(f"Cannot read the topics table ({error}). Run `manage.py migrate` first.")
    if existing and not args.force:
        sys.exit(
            "This database already has topics. Use an empty database for the benchmark, "
            "or pass --force to add to it."
        )
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            # Losing the last commits in a crash is fine for generated data; it halves the time.
            cursor.execute("SET synchronous_commit TO off")

    print(
        f"Generating {args.topics:,} topics / {args.replies:,} replies on {vendor} "
        f"({settings.DATABASES['default']['NAME']}), seed {args.seed}",
        flush=True,
    )
    # A per-run prefix keeps usernames unique when --force adds a second community.
    run = "b" if not existing else f"b{int(time.time()) % 100000}_"
    customers, reps, _owner = ensure_people(args, run)
    categories = ensure_categories()
    print(
        f"  {len(customers):,} customers, {len(reps)} representatives "
        f"({time.perf_counter() - started:.1f} s)",
        flush=True,
    )

    generator = Generator(args, customers, reps)
    now = generator.now
    counts = reply_counts(args.topics, args.replies)
    # More topics lately than three years ago; inserted oldest first, so ids follow time as in
    # a real community.
    created = sorted(
        now - timedelta(days=args.days) * random.random() ** 1.5 for _ in range(args.topics)
    )
    kinds = random.choices(list(KIND_WEIGHTS), weights=KIND_WEIGHTS.values(), k=args.topics)
    plans = list(zip(created, kinds, counts, strict=True))

    phase = time.perf_counter()
    for start in range(0, args.topics, args.chunk):
        generator.write_chunk(plans[start : start + args.chunk], categories)
        done = generator.totals
        elapsed = time.perf_counter() - phase
        rate = done["replies"] / elapsed if elapsed else 0
        eta = elapsed / done["topics"] * (args.topics - done["topics"])
        print(
            f"  topics {done['topics']:>9,}/{args.topics:,}  replies {done['replies']:>10,}  "
            f"{rate:>7,.0f} replies/s  elapsed {elapsed:6.0f} s  ETA {eta:5.0f} s",
            flush=True,
        )

    # A few pinned topics, as every community has: rules, a known outage, a survey.
    pinned = list(
        Topic.objects.filter(is_hidden=False, kind__in=[TopicKind.QUESTION, TopicKind.THANKS])
        .order_by("-pk")
        .values_list("pk", flat=True)[:200]
    )
    Topic.objects.filter(pk__in=random.sample(pinned, min(3, len(pinned)))).update(is_pinned=True)
    insert_time = time.perf_counter() - phase

    if vendor == "postgresql":
        phase = time.perf_counter()
        print("  VACUUM ANALYZE…", flush=True)
        with connection.cursor() as cursor:
            # Autovacuum would get there on its own; the benchmark should not depend on when.
            cursor.execute("VACUUM ANALYZE")
        print(f"  VACUUM ANALYZE took {time.perf_counter() - phase:.0f} s", flush=True)

    # Tab counts and home lists may be cached (in Redis when REDIS_URL is set): forget them.
    for name in ("forget_public_reads", "forget_tab_counts"):
        forget = getattr(community_models, name, None)
        if forget:
            forget()
            break

    totals = generator.totals
    print(
        f"Done in {time.perf_counter() - started:.0f} s (inserts {insert_time:.0f} s): "
        f"{totals['topics']:,} topics, {totals['replies']:,} replies "
        f"({totals['official']:,} official, {totals['accepted']:,} accepted), "
        f"{totals['topic_votes']:,} topic votes, {totals['reply_votes']:,} reply votes, "
        f"{totals['events']:,} events, {len(customers) + len(reps):,} users.",
        flush=True,
    )
    print(f"Every generated user's password is {PASSWORD!r}.")

    if args.verify:
        phase = time.perf_counter()
        drift = verify()
        print(f"Verify ({time.perf_counter() - phase:.0f} s): {drift}")
        if any(drift.values()):
            sys.exit("Some counters disagree with the rows they count.")


if __name__ == "__main__":
    main()
