BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Get-MSCommerceSubscription' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith { New-MSCommerceTestSubscription }
    }

    It 'Should list with the purchase type filter, following nextLink' {
        $null = Get-MSCommerceSubscription -PurchaseType SelfService
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'GET' -and $Path -eq '/v1.0/subscriptions' -and $Query.purchaseType -eq 'selfService' -and $FollowNextLink
        }
    }

    It 'Should read each piped subscription with its users' {
        $result = @([pscustomobject]@{ SubscriptionId = 'a' }, [pscustomobject]@{ SubscriptionId = 'b' }) | Get-MSCommerceSubscription
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 2 -Exactly -ParameterFilter {
            $Path -eq '/v1.0/subscriptions/{subscriptionId}'
        }
        $result[0].PSObject.TypeNames | Should -Contain 'MSCommerce.Subscription'
        $result[0].Purchaser | Should -Be 'ann@contoso.onmicrosoft.com'
        $result[0].AssignedUsers[0].UserPrincipalName | Should -Be 'bob@contoso.onmicrosoft.com'
        $result[0].ExpiresAt.Kind | Should -Be 'Utc'
    }
}
