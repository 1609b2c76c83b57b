from django.db import models


class LawQuerySet(models.QuerySet):
    def in_force(self) -> "LawQuerySet":
        return self.filter(abolished=False)


class Law(models.Model):
    class Level(models.TextChoices):
        CONSTITUTION = "憲法"
        ACT = "法律"
        REGULATION = "命令"

    pcode = models.CharField("law code", max_length=16, unique=True)
    name = models.CharField(max_length=255, db_index=True)
    level = models.CharField(max_length=8, choices=Level.choices)
    category = models.CharField(max_length=255, blank=True)
    modified_date = models.CharField(max_length=8, blank=True, help_text="YYYYMMDD")
    effective_date = models.CharField(max_length=8, blank=True, help_text="YYYYMMDD")
    effective_note = models.TextField(blank=True)
    abolished = models.BooleanField(default=False, db_index=True)
    english_name = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=300)
    # The Ministry's English translation (EngLaw/EngOrder), when imported: its page and date.
    url_en = models.URLField("English URL", max_length=300, blank=True)
    translated_date = models.CharField(max_length=8, blank=True, help_text="YYYYMMDD")
    foreword = models.TextField(blank=True)
    histories = models.TextField(blank=True)
    # Digest of the law's source record: an unchanged law is skipped on re-import.
    content_hash = models.CharField(max_length=64)
    # What the search indexes read from this row, for the corpus fingerprint (laws/fingerprint.py);
    # indexed so that the fingerprint reads the index alone, not the rows' texts.
    digest = models.IntegerField(default=0, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LawQuerySet.as_manager()

    class Meta:
        ordering = ["pcode"]

    def __str__(self) -> str:
        return f"{self.name} ({self.pcode})"


class Chapter(models.Model):
    """A division heading (編/章/節) as it stands among the articles."""

    law = models.ForeignKey(Law, on_delete=models.CASCADE, related_name="chapters")
    position = models.PositiveIntegerField()
    heading = models.CharField(max_length=500)

    class Meta:
        ordering = ["law", "position"]

    def __str__(self) -> str:
        return self.heading


class Article(models.Model):
    law = models.ForeignKey(Law, on_delete=models.CASCADE, related_name="articles")
    position = models.PositiveIntegerField()
    number = models.CharField(max_length=32, help_text="17, or 10-1 for 第十條之一")
    chapter = models.CharField(max_length=500, blank=True, help_text="nearest heading above")
    content = models.TextField()
    # The Ministry's English translation of this article, where one exists (it may lag).
    content_en = models.TextField("English text", blank=True)
    # What the search indexes read from this row, for the corpus fingerprint (laws/fingerprint.py);
    # indexed so that the fingerprint reads the index alone, not the rows' texts.
    digest = models.IntegerField(default=0, db_index=True)

    class Meta:
        ordering = ["law", "position"]
        indexes = [models.Index(fields=["law", "number"])]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return f"{self.law.name} 第 {self.number} 條"

    @property
    def url(self) -> str:
        return f"https://law.moj.gov.tw/LawClass/LawSingle.aspx?pcode={self.law.pcode}&flno={self.number}"

    @property
    def url_en(self) -> str:
        """The English translation's page of this article ("" when it has no translation)."""
        if not self.content_en:
            return ""
        return f"https://law.moj.gov.tw/Eng/LawClass/LawSingle.aspx?pcode={self.law.pcode}&flno={self.number}"
