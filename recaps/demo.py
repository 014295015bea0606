"""The #Philly311NLP demo: 244 posts from 67 participants, and a published recap.

Posts are generated (deterministically, so seed_demo stays idempotent) and stored
through the real capture path (``upsert_posts``); the recap is drafted, edited and
published through the recap services, as an editor would.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils.html import escape

from accounts.models import User
from events.integrations.base import ParsedPost
from events.integrations.sanitize import X_LINKS, clean_html, text_to_html
from events.models import Chat, Platform, Post, QuestionStatus, TrackedQuestion
from events.services.capture import upsert_posts
from events.services.questions import detect_questions, update_tracked_question
from recaps.models import Recap, RecapStatus
from recaps.services.drafting import create_draft_recap
from recaps.services.editing import update_recap_text
from recaps.services.workflow import transition_recap

TOTAL_POSTS = 244
RESIDENTS = 64  # + 3 host accounts = 67 participants
MASTODON = "mastodon.example"
INTRO = (
    "On a Thursday evening the Managing Director and the 311 Director spent an hour "
    "answering residents about the 311 Neighborhood Liaison Program. Here is what "
    "was asked, what the City answered, and what it is following up on."
)

# fmt: off
FIRST = [
    "Maria", "James", "Aisha", "Tom", "Keisha", "Luis", "Grace", "Dev", "Tanya", "Sam",
    "Rosa", "Malik", "Joan", "Kevin", "Nadia", "Omar", "Beth", "Andre", "Lena", "Chris",
    "Yolanda", "Pat", "Hector", "Ivy", "Marcus", "Dana", "Tariq", "Ellen", "Jorge", "Mei",
    "Frank",
]
PLACES = [
    "Kensington", "Germantown", "Fishtown", "Point Breeze", "Mantua", "Olney", "Frankford",
    "Logan", "Overbrook", "Mayfair", "Manayunk", "Fairhill",
]
# fmt: on
ANSWERS = [
    [
        "A1 I call 311 but never hear back once the ticket is closed",
        "A1 mostly the app. Photos of dumping work great",
        "A1 I didn't know 311 had an app until tonight",
        "A1 my block captain reports for all of us",
        "A1 phone, and the wait times are long in the evening",
    ],
    [
        "A2 short dumping on our corner, every week",
        "A2 street lights out on the whole block",
        "A2 abandoned cars and potholes",
        "A2 vacant lots full of trash",
        "A2 graffiti on the rec center wall",
    ],
    [
        "A3 I want to help older neighbors who don't use apps",
        "A3 if it means problems actually get fixed, count me in",
        "A3 time. Evenings are all I have",
        "A3 being able to see what happens after a report",
        "A3 I already do this informally for my block",
    ],
    [
        "A4 at the monthly civic association meeting",
        "A4 flyers at the corner store and the church",
        "A4 a WhatsApp group for the block",
        "A4 knock on doors, honestly",
        "A4 through the block captains network",
    ],
    [
        "A5 a cheat sheet of which department handles what",
        "A5 training in Spanish please",
        "A5 a direct contact at 311 for follow ups",
        "A5 a way to track all the reports from our area",
        "A5 printed materials to hand out",
    ],
    [
        "A6 text me when a request is closed, with what was done",
        "A6 publish the response times by neighborhood",
        "A6 tell us when something will take months",
        "A6 photos of the fix would be amazing",
        "A6 follow up calls for the big problems",
    ],
]
RESIDENT_QUESTIONS = [
    "How long does the liaison training take?",
    "Is the liaison program paid or volunteer?",
    "Can teenagers become liaisons?",
    "Will liaisons get a direct line to departments?",
    "Is there training on weekends?",
    "Do liaisons need to live in the neighborhood they cover?",
    "How many liaisons will each neighborhood have?",
    "Will there be a liaison for Spanish speakers in Fairhill?",
    "What happens to reports liaisons make for neighbors without email?",
    "Can civic associations nominate liaisons?",
    "Why do some 311 tickets get closed without anything fixed?",
    "Who do we call when 311 says it's not their department?",
]
# Indexes into RESIDENT_QUESTIONS the hosts answer; the others stay open.
ANSWERED = {
    0: "Training is two evenings, about six hours in all.",
    1: "It's a volunteer program, with training and materials provided.",
    3: "Liaisons get a dedicated 311 contact for escalations.",
    4: "Yes, we'll offer a Saturday session each quarter.",
    5: "Yes, liaisons serve the neighborhood where they live.",
    6: "We start with two per neighborhood and grow from there.",
    7: "Yes, and training in Spanish is part of the plan.",
    9: "Yes, civic associations can encourage members to apply.",
}
CHATTER = [
    "Great turnout tonight #Philly311NLP",
    "Thanks for doing this in the evening so working folks can join",
    "Following along from Germantown",
    "This is the kind of thing the city should do every month",
    "Sharing this with our block captains",
    "Love seeing @philly311 answer in real time",
]


def _tweet_id(n: int) -> str:
    return str(1_400_000_000_000_000_000 + n * 7919)


class _Builder:
    def __init__(self, chat: Chat) -> None:
        self.chat = chat
        self.rng = random.Random(311)  # noqa: S311  (demo data, not security)
        self.n = 0
        self.posts: list[ParsedPost] = []
        self.residents = self._residents()

    def _residents(self) -> list[tuple[str, str, str]]:
        people: list[tuple[str, str, str]] = []
        for i in range(RESIDENTS):
            first = FIRST[i % len(FIRST)]
            place = PLACES[(i * 5) % len(PLACES)]
            platform = Platform.MASTODON if i % 5 == 4 else Platform.X
            handle = f"{first.lower()}_{place.lower().replace(' ', '')}{i}"
            if platform == Platform.MASTODON:
                handle = f"{handle}@{MASTODON}"
            people.append((platform, handle, f"{first} from {place}"))
        return people

    def add(
        self,
        *,
        platform: str,
        handle: str,
        name: str,
        text: str,
        minute: float,
        reply_to: str = "",
        conversation: str = "",
    ) -> str:
        self.n += 1
        at = self.chat.starts_at + timedelta(minutes=minute)
        if platform == Platform.X:
            key = _tweet_id(self.n)
            url = f"https://x.com/{handle}/status/{key}"
            html = text_to_html(text, style=X_LINKS)
            author_url = f"https://x.com/{handle}"
        else:
            user = handle.split("@")[0]
            key = f"https://{MASTODON}/users/{user}/statuses/{110_000_000 + self.n}"
            url = f"https://{MASTODON}/@{user}/{110_000_000 + self.n}"
            html = clean_html(f"<p>{escape(text)}</p>")
            author_url = f"https://{MASTODON}/@{user}"
        likes = int(self.rng.paretovariate(1.6)) - 1
        self.posts.append(
            ParsedPost(
                platform=platform,
                external_key=key,
                source_item_id=key.rsplit("/", 1)[-1],
                author_handle=handle,
                author_name=name,
                author_url=author_url,
                author_avatar_url="",
                text=text,
                html=html,
                created_at=at,
                url=url,
                reply_to_key=reply_to,
                conversation_key=conversation or key,
                metrics={"like_count": likes, "retweet_count": likes // 3, "reply_count": 0},
                language="en",
            )
        )
        return key


def build_posts(chat: Chat) -> list[ParsedPost]:
    """The 244 posts of the evening, in time order of writing (not of posting)."""
    b = _Builder(chat)
    rng = b.rng
    host_x = ("philly311", "Philly311")
    host_mdo = ("phillymdo", "Managing Director's Office")
    host_masto = (f"philly311@{MASTODON}", "Philly311")
    b.add(
        platform=Platform.X,
        handle=host_mdo[0],
        name=host_mdo[1],
        minute=0,
        text="Welcome to tonight's #Philly311NLP chat! Questions start in a few minutes.",
    )
    questions = list(chat.questions.order_by("position"))
    q_keys: list[tuple[float, str]] = []
    for i, question in enumerate(questions):
        minute: float = question.planned_minute or (i + 1) * 9
        key = b.add(
            platform=Platform.X,
            handle=host_x[0],
            name=host_x[1],
            minute=minute,
            text=f"Q{question.position} {question.text} #Philly311NLP",
        )
        b.add(
            platform=Platform.MASTODON,
            handle=host_masto[0],
            name=host_masto[1],
            minute=minute + 0.2,
            text=f"Q{question.position} {question.text} #Philly311NLP",
        )
        q_keys.append((minute, key))

    # Every resident answers at least one question, so all 64 take part.
    for r, (platform, handle, name) in enumerate(b.residents):
        qi = r % len(q_keys)
        minute, key = q_keys[qi]
        text = f"{rng.choice(ANSWERS[qi])} #Philly311NLP"
        b.add(
            platform=platform,
            handle=handle,
            name=name,
            text=text,
            minute=minute + rng.uniform(0.5, 7),
            reply_to=key if platform == Platform.X else "",
            conversation=key if platform == Platform.X else "",
        )

    # Residents' own questions; the hosts answer most of them in the thread.
    for i, asked in enumerate(RESIDENT_QUESTIONS):
        platform, handle, name = b.residents[(i * 7) % RESIDENTS]
        at = 4 + i * 4.3
        key = b.add(
            platform=platform,
            handle=handle,
            name=name,
            minute=at,
            text=f"{asked} #Philly311NLP",
        )
        if i in ANSWERED:
            host = host_x if i % 2 else host_mdo
            b.add(
                platform=Platform.X,
                handle=host[0],
                name=host[1],
                minute=at + 2,
                text=f"@{handle.split('@')[0]} {ANSWERED[i]} #Philly311NLP",
                reply_to=key,
                conversation=key,
            )

    b.add(
        platform=Platform.X,
        handle=host_mdo[0],
        name=host_mdo[1],
        minute=59,
        text="Thank you all! We'll publish a recap with every follow-up. #Philly311NLP",
    )

    # More answers and chatter until there are 244 posts.
    while b.n < TOTAL_POSTS:
        platform, handle, name = rng.choice(b.residents)
        if rng.random() < 0.2:
            text, minute = rng.choice(CHATTER), rng.uniform(1, 58)
        else:
            qi = rng.randrange(len(q_keys))
            minute = q_keys[qi][0] + rng.uniform(0.5, 8)
            text = f"{rng.choice(ANSWERS[qi])} #Philly311NLP"
        b.add(platform=platform, handle=handle, name=name, text=text, minute=minute)
    return b.posts


def _triage_open_questions(*, chat: Chat, by: User) -> None:
    """What comms staff did after the chat: one question routed to 311, one given to
    the program team to answer; the rest stay open for the recap's follow-ups."""
    open_questions = list(
        TrackedQuestion.objects.filter(chat=chat, status=QuestionStatus.OPEN).select_related("post")
    )
    for question in open_questions:
        if "closed without anything fixed" in question.post.text:
            update_tracked_question(
                question_id=question.pk,
                to=QuestionStatus.ROUTED_311,
                by=by,
                service_request_number="SR-2026-114-0042",
            )
        elif "not their department" in question.post.text:
            update_tracked_question(
                question_id=question.pk,
                to=QuestionStatus.FOLLOW_UP,
                by=by,
                owner_team="311 Neighborhood Liaison Program",
            )


def seed_recap(*, chat: Chat, editor: User) -> Recap:
    """Capture the demo posts (once) and publish the chat's recap (once)."""
    if not Post.objects.filter(chat=chat).exists():
        upsert_posts(chat_id=chat.pk, posts=build_posts(chat))
        detect_questions(chat=chat)
        _triage_open_questions(chat=chat, by=editor)
    recap = create_draft_recap(chat=chat, by=editor)
    if recap.status == RecapStatus.DRAFT and not recap.intro:
        update_recap_text(recap=recap, title=f"Recap: {chat.title}", intro=INTRO, by=editor)
        recap = transition_recap(recap=recap, to=RecapStatus.IN_REVIEW, by=editor)
        recap = transition_recap(recap=recap, to=RecapStatus.PUBLISHED, by=editor)
    return recap
