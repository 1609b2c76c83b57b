from django.urls import path

from chat.api.rest import views

urlpatterns = [
    path("laws", views.LawList.as_view()),
    path("laws/<str:pcode>", views.LawDetail.as_view()),
    path("laws/<str:pcode>/articles", views.ArticleList.as_view()),
    path("laws/<str:pcode>/articles/<str:number>", views.ArticleDetail.as_view()),
    path("articles/resolve", views.CitationResolve.as_view()),
    path("search", views.Search.as_view()),
    path("calculations", views.Calculations.as_view()),
]
