"""Fill an empty database with many topics for the smart-search latency benchmark, and index them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vmeste_search DEBUG=1 \\
        .venv/bin/python bench/generate_search_corpus.py --topics 1000000

Why not bench/generate_community.py: it builds whole threads (replies, votes, events, counters)
for the page benchmarks, about 20 rows per topic, which at a million topics takes far longer than
the search needs. The index holds a topic's title, text and official or accepted answer, and
ranking reads score and views; so this writes topics, one official answer for each answered one,
and nothing else, with bulk_create in batches (COPY would be faster on PostgreSQL but the ORM
keeps it one code path for both databases), then indexes them through search.indexing, exactly
as `rebuild_search_index` does.

Titles combine the word lists of generate_community.py with more subjects, products, places,
amounts and dates, so a million titles are varied the way a real community's are: most words
are common ("карта", "перевод"), some are rare ("Кемерово", "5.14.2").
"""

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from community.markup import render_markdown  # noqa: E402
from community.models import Category, Reply, Topic, TopicKind, TopicStatus  # noqa: E402
from community.slugs import slugify_title  # noqa: E402
from search import indexing  # noqa: E402

settings.DEBUG = False

BATCH = 2000
PASSWORD = "vmeste-bench"

QUESTION_STEMS = [
    "Как активировать карту",
    "Как заблокировать карту",
    "Как перевыпустить карту",
    "Когда придёт карта",
    "Где забрать карту",
    "Как пополнить вклад",
    "Как закрыть вклад досрочно",
    "Какая ставка по вкладу",
    "Где посмотреть реквизиты счёта",
    "Как подключить СБП",
    "Как перевести по номеру телефона",
    "Какой лимит на переводы",
    "Как отключить платные уведомления",
    "Сколько стоит обслуживание карты",
    "Как получить справку о доходах",
    "Можно ли снять наличные без комиссии",
    "Как увеличить кредитный лимит",
    "Когда начислят проценты по вкладу",
    "Как сменить номер телефона",
    "Как привязать карту к Mir Pay",
    "Как оформить ипотеку",
    "Как рефинансировать кредит",
    "Почему списали комиссию",
    "Как вернуть деньги за покупку",
    "Как оспорить операцию",
    "Где найти выписку по счёту",
    "Как открыть валютный счёт",
    "Как купить валюту",
    "Как погасить кредит досрочно",
    "Как изменить ПИН-код",
    "Как получить налоговый вычет",
    "Как перевести деньги на карту другого банка",
    "Как оформить кредитную карту",
    "Как работает кэшбэк",
    "Как выбрать категории кэшбэка",
    "Как настроить автоплатёж",
    "Как оплатить ЖКХ",
    "Как заказать детскую карту",
    "Как оформить страховку",
    "Как открыть брокерский счёт",
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
    "Банкомат съел карту",
    "Не приходят push-уведомления",
    "Не проходит платёж по QR-коду",
    "Заблокировали карту без причины",
    "Не могу подтвердить перевод",
    "Пропала история операций",
    "Не пришла карта",
    "Не зачислили зарплату",
    "Не работает бесконтактная оплата",
    "Списали деньги за обслуживание",
    "Не могу войти в интернет-банк",
    "Перевод по СБП не дошёл",
    "Приложение вылетает",
    "Не принимает пароль",
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
    "Добавьте оплату по QR в банкоматах",
    "Сделайте совместный счёт для семьи",
]
THANKS_STEMS = [
    "Спасибо сотруднику отделения",
    "Спасибо службе поддержки",
    "Спасибо менеджеру",
    "Спасибо команде приложения",
    "Спасибо оператору горячей линии",
    "Благодарность банку",
    "Спасибо курьеру",
    "Спасибо представителю банка",
]
PRODUCTS = [
    "",
    "",
    "",
    " по карте «Мир»",
    " по дебетовой карте",
    " по кредитной карте",
    " по зарплатной карте",
    " по карте Visa",
    " по вкладу «Надёжный»",
    " по накопительному счёту",
    " по ипотеке",
    " по автокредиту",
    " в приложении",
    " в интернет-банке",
    " через СБП",
    " в банкомате",
    " в отделении",
]
PLACES = [
    "",
    "",
    "",
    "",
    " в Москве",
    " в Санкт-Петербурге",
    " в Новосибирске",
    " в Екатеринбурге",
    " в Казани",
    " в Кемерово",
    " в Самаре",
    " в Турции",
    " за границей",
    " на Android",
    " на iPhone",
    " после обновления",
    " после смены паспорта",
]
SPECIFICS = [
    "",
    "",
    "",
    "",
    "",
    " на {amount} ₽",
    " {day} {month}",
    " с {day} {month}",
    " (версия 5.{minor}.{patch})",
    " уже {days} дней",
    ", сумма {amount} ₽",
]
TAILS = ["", "", "", "", ", подскажите", " — срочно", ", помогите", ", пожалуйста"]
MONTHS = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]
KIND_WEIGHTS = {
    TopicKind.QUESTION: 50,
    TopicKind.PROBLEM: 25,
    TopicKind.IDEA: 17,
    TopicKind.THANKS: 8,
}
STEMS = {
    TopicKind.QUESTION: (QUESTION_STEMS, "?"),
    TopicKind.PROBLEM: (PROBLEM_STEMS, ""),
    TopicKind.IDEA: (IDEA_STEMS, ""),
    TopicKind.THANKS: (THANKS_STEMS, "!"),
}
SENTENCES = [
    "Получил карту в отделении, в приложении она не видна.",
    "Сотрудник на горячей линии сказал, что можно только в отделении.",
    "Искал в разделе «Помощь», ответа не нашёл.",
    "С утра при оплате пишет «Операция отклонена», хотя денег достаточно.",
    "Уже звонил в поддержку, обещали перезвонить и не перезвонили.",
    "Пробовал переустановить приложение, не помогло.",
    "Деньги списались, а магазин говорит, что оплата не прошла.",
    "Перевод отправил вчера вечером, получатель до сих пор ничего не получил.",
    "В чате поддержки ответили шаблоном.",
    "Комиссию раньше не брали, в тарифах ничего не нашёл.",
    "Нужна справка для визы, сроки поджимают.",
    "Карту заказывал через приложение с доставкой курьером.",
    "Кэшбэк за прошлый месяц так и не пришёл.",
    "Код из СМС приходит через 10 минут, когда уже не действует.",
    "Банкомат выдал чек, но деньги не выдал.",
    "Хочу закрыть вклад, но боюсь потерять проценты.",
    "Подскажите, где это сделать в приложении и есть ли комиссия.",
    "У других банков это давно есть.",
    "Пользуюсь приложением каждый день, этого очень не хватает.",
    "Хочу поблагодарить за помощь: всё решили за десять минут.",
    "Очень вежливо и быстро, так держать!",
    "Ситуация повторяется уже не первый раз.",
    "Номер телефона сменил в прошлом месяце.",
    "За границей карта работает через раз.",
]
ANSWERS = [
    "Здравствуйте! Карту можно активировать в приложении: Карты → Активировать. Если кнопки нет, "
    "обновите приложение до последней версии.",
    "Добрый день! Мы проверили операцию: деньги вернутся на карту в течение 3 рабочих дней.",
    "Здравствуйте! Карты доставляем за 5–7 рабочих дней. Статус доставки виден в приложении в "
    "разделе «Карты».",
    "Добрый день! Проблема была на нашей стороне и уже исправлена. Обновите приложение и "
    "перезайдите в него.",
    "Здравствуйте! Условия по вкладам опубликованы на сайте банка. При досрочном закрытии "
    "проценты начисляются по ставке «до востребования».",
    "Здравствуйте! Переводы по СБП до 100 000 ₽ в месяц бесплатные, дальше комиссия 0,5 %.",
    "Добрый день! Справку о доходах можно заказать в приложении: Профиль → Документы.",
    "Здравствуйте! Код из СМС действует 5 минут. Если СМС не приходят, проверьте, не "
    "заблокирован ли короткий номер 900.",
    "Добрый день! Кэшбэк начисляется до 10 числа следующего месяца. Если не пришёл, напишите "
    "номер операции, проверим.",
    "Здравствуйте! Спор по операции открывается в приложении: выберите операцию → «Оспорить».",
    "Добрый день! Банкомат вернёт деньги на карту автоматически в течение 2 рабочих дней.",
    "Здравствуйте! Сменить номер телефона можно в любом отделении с паспортом.",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--topics", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--days", type=int, default=5 * 365)
    parser.add_argument("--force", action="store_true", help="add to a database that has topics")
    parser.add_argument("--no-index", action="store_true", help="only write the topics")
    return parser.parse_args()


def fill(template: str) -> str:
    return template.format(
        amount=f"{random.choice([500, 1500, 3000, 5000, 12000, 15000, 40000, 100000]):,}".replace(
            ",", " "
        ),
        day=random.randint(1, 28),
        month=random.choice(MONTHS),
        minor=random.randint(8, 16),
        patch=random.randint(0, 9),
        days=random.randint(2, 14),
    )


def title_for(kind: str) -> str:
    stems, end = STEMS[kind]
    if kind == TopicKind.THANKS:
        return random.choice(stems) + random.choice(PLACES) + end
    title = (
        random.choice(stems)
        + random.choice(PRODUCTS)
        + random.choice(PLACES)
        + fill(random.choice(SPECIFICS))
        + random.choice(TAILS)
    )
    return title[:199] + end


def status_for(kind: str) -> str:
    roll = random.random()
    if kind == TopicKind.QUESTION:
        return TopicStatus.ANSWERED if roll < 0.6 else TopicStatus.OPEN
    if kind == TopicKind.PROBLEM:
        return [TopicStatus.SOLVED, TopicStatus.OPEN, TopicStatus.INVESTIGATING][
            0 if roll < 0.45 else 1 if roll < 0.8 else 2
        ]
    if kind == TopicKind.IDEA:
        return random.choice([TopicStatus.NEW, TopicStatus.UNDER_REVIEW, TopicStatus.PLANNED])
    return TopicStatus.PUBLISHED


def main() -> None:
    args = parse_args()
    random.seed(args.seed)
    vendor = connection.vendor
    if Topic.objects.exists() and not args.force:
        sys.exit("This database already has topics; use an empty one or pass --force.")
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")
    started = time.perf_counter()
    now = timezone.now()
    run = f"s{int(time.time()) % 100000}_"
    password = make_password(PASSWORD)
    customers = User.objects.bulk_create(
        [User(username=f"{run}user{i}", password=password) for i in range(2000)], batch_size=BATCH
    )
    reps = User.objects.bulk_create(
        [
            User(username=f"{run}rep{i}", password=password, is_representative=True)
            for i in range(20)
        ]
    )
    categories = list(Category.objects.values_list("pk", flat=True)) or [
        Category.objects.create(name="Карты", slug=f"{run}cards").pk
    ]
    bodies = [(text, render_markdown(text)) for text in SENTENCES]
    answers = [(text, render_markdown(text)) for text in ANSWERS]
    kinds = list(KIND_WEIGHTS)
    weights = list(KIND_WEIGHTS.values())
    print(f"Writing {args.topics:,} topics on {vendor}…", flush=True)

    answered_ids: list[int] = []
    written = 0
    while written < args.topics:
        count = min(BATCH, args.topics - written)
        topics = []
        official = []
        for _ in range(count):
            kind = random.choices(kinds, weights)[0]
            title = title_for(kind)
            status = status_for(kind)
            created = now - timedelta(days=args.days) * random.random() ** 1.5
            picked = random.sample(bodies, random.randint(1, 3))
            topics.append(
                Topic(
                    kind=kind,
                    title=title,
                    slug=slugify_title(title),
                    body=" ".join(text for text, _ in picked),
                    body_html="".join(html for _, html in picked),
                    author_id=random.choice(customers).pk,
                    category_id=random.choice(categories),
                    status=status,
                    score=int(random.paretovariate(1.5)) - 1,
                    reply_count=1 if status in (TopicStatus.ANSWERED, TopicStatus.SOLVED) else 0,
                    view_count=int(random.paretovariate(1.2) * 20),
                    last_activity_at=created,
                    is_hidden=random.random() < 0.005,
                    created_at=created,
                )
            )
            official.append(status in (TopicStatus.ANSWERED, TopicStatus.SOLVED))
        with transaction.atomic():
            Topic.objects.bulk_create(topics, batch_size=BATCH)
            replies = []
            for topic, has_answer in zip(topics, official, strict=True):
                if has_answer:
                    text, html = random.choice(answers)
                    rep = random.choice(reps).pk
                    replies.append(
                        Reply(
                            topic_id=topic.pk,
                            author_id=rep,
                            body=text,
                            body_html=html,
                            is_official=True,
                            marked_official_by_id=rep,
                            marked_official_at=topic.created_at,
                            created_at=topic.created_at,
                        )
                    )
                    answered_ids.append(topic.pk)
            Reply.objects.bulk_create(replies, batch_size=BATCH)
        written += count
        if written % 50_000 < BATCH or written == args.topics:
            elapsed = time.perf_counter() - started
            print(
                f"  topics {written:>9,}  {written / elapsed:,.0f}/s  {elapsed:.0f} s", flush=True
            )
    insert_seconds = time.perf_counter() - started

    index_seconds = 0.0
    if not args.no_index:
        phase = time.perf_counter()
        print("Indexing…", flush=True)
        last = 0
        done = 0
        while True:
            batch = list(Topic.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
            if not batch:
                break
            with transaction.atomic():
                indexing.index_topics(batch)
            last = batch[-1].pk
            done += len(batch)
            if done % 50_000 < BATCH:
                elapsed = time.perf_counter() - phase
                print(f"  indexed {done:>9,}  {done / elapsed:,.0f}/s  {elapsed:.0f} s", flush=True)
        index_seconds = time.perf_counter() - phase
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"Done in {time.perf_counter() - started:.0f} s (topics {insert_seconds:.0f} s, "
        f"index {index_seconds:.0f} s): {written:,} topics, {len(answered_ids):,} answered.",
        flush=True,
    )


if __name__ == "__main__":
    main()
