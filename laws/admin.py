from django.contrib import admin

from laws.models import Article, Law


class ReadOnlyAdmin(admin.ModelAdmin):
    """The corpus changes only through `import_laws`, never by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Law)
class LawAdmin(ReadOnlyAdmin):
    list_display = ["name", "pcode", "level", "modified_date", "abolished", "english_name"]
    list_filter = ["level", "abolished"]
    search_fields = ["name", "pcode", "english_name"]
    exclude = ["content_hash"]
    show_full_result_count = False


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "chapter", "excerpt"]
    list_select_related = ["law"]
    search_fields = ["=law__pcode", "law__name", "=number"]
    list_filter = ["law__level"]
    raw_id_fields = ["law"]
    show_full_result_count = False

    @admin.display(description="text")
    def excerpt(self, article: Article) -> str:
        return article.content[:80]
