BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule

    $script:subscription = [pscustomobject]@{
        id               = '11111111-1111-1111-1111-111111111111'
        productId        = 'CFQ7TTC0H9MP'
        productName      = 'Power BI Pro'
        scope            = 'product'
        purchaseType     = 'SelfService'
        acquisitionKind  = 'Purchase'
        purchaser        = [pscustomobject]@{ id = 'p1'; displayName = 'Ann'; userPrincipalName = 'ann@contoso.onmicrosoft.com' }
        quantity         = 5
        assignedCount    = 1
        unitPrice        = '16.80'
        totalPrice       = '84.00'
        currency         = 'USD'
        billingFrequency = 'Monthly'
        createdAt        = '2026-11-25T06:30:00.000Z'
        expiresAt        = '2026-12-25T06:30:00.000Z'
        autoRenew        = $true
        status           = 'Active'
        etag             = '"1"'
        assignedUsers    = @([pscustomobject]@{ id = 'u1'; displayName = 'Bob'; userPrincipalName = 'bob@contoso.onmicrosoft.com'; assignedAt = '2026-11-25T06:31:00.000Z' })
    }
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Get-MSCommerceSubscription' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith { $script:subscription }
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
