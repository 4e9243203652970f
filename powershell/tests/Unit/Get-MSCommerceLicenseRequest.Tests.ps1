BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Get-MSCommerceLicenseRequest' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            if ($Path -eq '/v1.0/licenseRequests' -or $Path -eq '/v1.0/me/licenseRequests') {
                return @(
                    New-MSCommerceTestLicenseRequest -Id 'a'
                    New-MSCommerceTestLicenseRequest -Id 'b' -Status 'Approved'
                )
            }
            New-MSCommerceTestLicenseRequest -Id $PathParameter.requestId
        }
    }

    Context 'List' {
        It 'Should send status=<Wire> for -Status <Given>, following nextLink' -ForEach @(
            @{ Given = 'Pending'; Wire = 'pending' }
            @{ Given = 'Completed'; Wire = 'completed' }
            @{ Given = 'All'; Wire = 'all' }
        ) {
            $null = Get-MSCommerceLicenseRequest -Status $Given
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Method -eq 'GET' -and $Path -eq '/v1.0/licenseRequests' -and $Query.status -ceq $Wire -and $FollowNextLink -and $First -eq 0
            }
        }

        It 'Should list every status without parameters, without a page size' {
            $result = @(Get-MSCommerceLicenseRequest)
            $result.Count | Should -Be 2
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Query.status -eq 'all' -and -not $Query.ContainsKey('top')
            }
        }

        It 'Should ask for pages of -First and stop after -First' {
            $null = Get-MSCommerceLicenseRequest -Status Pending -First 5
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $First -eq 5 -and $Query.top -eq 5
            }
        }

        It 'Should leave the page size to the service beyond its 1000' {
            $null = Get-MSCommerceLicenseRequest -First 5000
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $First -eq 5000 -and -not $Query.ContainsKey('top')
            }
        }

        It 'Should refuse a status outside the list before any call' {
            { Get-MSCommerceLicenseRequest -Status 'Open' } | Should -Throw
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }

        It 'Should list the caller''s own requests with -Mine' {
            $result = @(Get-MSCommerceLicenseRequest -Mine)
            $result.Count | Should -Be 2
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Method -eq 'GET' -and $Path -eq '/v1.0/me/licenseRequests' -and $FollowNextLink
            }
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly -ParameterFilter {
                $Path -eq '/v1.0/licenseRequests'
            }
        }

        It 'Should pass -Token through' {
            $null = Get-MSCommerceLicenseRequest -Token 'raw-jwt'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Token -eq 'raw-jwt' }
        }

        It 'Should report a refused role as one error with the service''s errorCode' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
                throw (New-MSCommerceTestErrorRecord -ErrorCode 'Forbidden' -Category 'PermissionDenied')
            }
            $result = @(Get-MSCommerceLicenseRequest -ErrorVariable failures -ErrorAction SilentlyContinue)
            $result.Count | Should -Be 0
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'Forbidden*'
            $failures[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        }
    }

    Context 'Objects' {
        It 'Should return MSCommerce.LicenseRequest objects with typed properties' {
            $request = Get-MSCommerceLicenseRequest -RequestId 'a'
            $request.PSObject.TypeNames | Should -Contain 'MSCommerce.LicenseRequest'
            $request.RequestId | Should -Be 'a'
            $request.ProductId | Should -Be 'CFQ7TTC0H9MP'
            $request.ProductName | Should -Be 'Power BI Pro'
            $request.Scope | Should -Be 'product'
            $request.Requester | Should -Be 'ria@contoso.onmicrosoft.com'
            $request.RequesterName | Should -Be 'Ria'
            $request.RequesterId | Should -Be 'r1'
            $request.Message | Should -Be 'I build the sales reports.'
            $request.Status | Should -Be 'Pending'
            $request.CreatedAt | Should -BeOfType [datetime]
            $request.CreatedAt.Kind | Should -Be 'Utc'
            $request.CreatedAt | Should -Be ([datetime]::new(2026, 12, 1, 9, 15, 0, [System.DateTimeKind]::Utc))
        }

        It 'Should leave the answer of a pending request $null' {
            $request = Get-MSCommerceLicenseRequest -RequestId 'a'
            $request.AnsweredAt | Should -BeNullOrEmpty
            $request.AnsweredBy | Should -BeNullOrEmpty
            $request.AnswerMessage | Should -BeNullOrEmpty
            $request.SubscriptionId | Should -BeNullOrEmpty
        }

        It 'Should give the users as MSCommerce.LicenseRequestUser objects with their outcome' {
            $request = Get-MSCommerceLicenseRequest -RequestId 'a'
            @($request.Users).Count | Should -Be 2
            $request.Users[1].PSObject.TypeNames | Should -Contain 'MSCommerce.LicenseRequestUser'
            $request.Users[1].UserId | Should -Be 'u2'
            $request.Users[1].UserPrincipalName | Should -Be 'sam@contoso.onmicrosoft.com'
            $request.Users[1].Outcome | Should -Be 'Pending'
        }

        It 'Should read the answer of an approved request' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith { New-MSCommerceTestLicenseRequest -Status 'Approved' }
            $request = Get-MSCommerceLicenseRequest -RequestId 'a'
            $request.Status | Should -Be 'Approved'
            $request.AnsweredAt.Kind | Should -Be 'Utc'
            $request.AnsweredAt | Should -Be ([datetime]::new(2026, 12, 2, 10, 0, 0, [System.DateTimeKind]::Utc))
            $request.AnsweredBy | Should -Be 'admin@contoso.onmicrosoft.com'
            $request.AnswerMessage | Should -Be 'Enjoy.'
            $request.SubscriptionId | Should -Be '33333333-3333-3333-3333-333333333333'
            @($request.Users | Where-Object -Property Outcome -EQ 'Approved').Count | Should -Be 2
        }

        It 'Should take answeredBy given as a name' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
                $answered = New-MSCommerceTestLicenseRequest -Status 'Denied'
                $answered.answeredBy = 'admin@contoso.onmicrosoft.com'
                $answered
            }
            (Get-MSCommerceLicenseRequest -RequestId 'a').AnsweredBy | Should -Be 'admin@contoso.onmicrosoft.com'
        }
    }

    Context 'By ID and through the pipeline' {
        It 'Should read every ID of -RequestId' {
            $result = @(Get-MSCommerceLicenseRequest -RequestId 'a', 'b')
            $result.Count | Should -Be 2
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Method -eq 'GET' -and $Path -eq '/v1.0/licenseRequests/{requestId}' -and $PathParameter.requestId -eq 'b' -and $TargetObject -eq 'b'
            }
        }

        It 'Should read each piped object by its <Property> property' -ForEach @(
            @{ Property = 'RequestId' }
            @{ Property = 'Id' }
        ) {
            $piped = @('a', 'b') | ForEach-Object -Process { [pscustomobject]@{ $Property = $_ } }
            $result = @($piped | Get-MSCommerceLicenseRequest)
            $result.Count | Should -Be 2
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $PathParameter.requestId -eq 'a' }
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $PathParameter.requestId -eq 'b' }
        }

        It 'Should read again the requests of a list piped into it' {
            $result = @(Get-MSCommerceLicenseRequest -Status Pending | Get-MSCommerceLicenseRequest)
            $result.Count | Should -Be 2
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 2 -Exactly -ParameterFilter { $Path -eq '/v1.0/licenseRequests/{requestId}' }
        }

        It 'Should report a request that cannot be read as a non-terminating error and read the next one' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $PathParameter.requestId -eq 'gone' } -MockWith {
                throw (New-MSCommerceTestErrorRecord -ErrorCode 'LicenseRequestNotFound' -Category 'ObjectNotFound' -TargetObject 'gone')
            }
            $result = @(Get-MSCommerceLicenseRequest -RequestId 'gone', 'b' -ErrorVariable failures -ErrorAction SilentlyContinue)
            $result.Count | Should -Be 1
            $result[0].RequestId | Should -Be 'b'
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'LicenseRequestNotFound*'
            $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'Should stop at the first authentication failure' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
                throw (New-MSCommerceTestErrorRecord -ErrorCode 'TokenExpired' -Category 'AuthenticationError' -Message 'Your credentials have expired.')
            }
            { Get-MSCommerceLicenseRequest -RequestId 'a', 'b' } | Should -Throw -ExpectedMessage 'Your credentials have expired.'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly
        }
    }

    Context 'Parameters' {
        BeforeAll {
            $script:command = Get-Command -Name 'Get-MSCommerceLicenseRequest' -Module 'MSCommerce'
        }

        It 'Should have the parameter sets List (default), ById and Mine' {
            @($command.ParameterSets | ForEach-Object -Process { $_.Name }) | Sort-Object | Should -Be @('ById', 'List', 'Mine')
            $command.DefaultParameterSet | Should -Be 'List'
        }

        It 'Should bind -RequestId from the pipeline by property name, with the alias Id, mandatory in ById' {
            $metadata = $command.Parameters['RequestId'].ParameterSets['ById']
            $metadata.IsMandatory | Should -BeTrue
            $metadata.ValueFromPipelineByPropertyName | Should -BeTrue
            $command.Parameters['RequestId'].Aliases | Should -Contain 'Id'
            $command.Parameters['RequestId'].ParameterType | Should -Be ([string[]])
        }

        It 'Should refuse -Mine together with -Status (another parameter set) before any call' {
            { Get-MSCommerceLicenseRequest -Mine -Status Pending } | Should -Throw -ErrorId 'AmbiguousParameterSet*'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }

        It 'Should change nothing and so not support -WhatIf' {
            $command.Parameters.Keys | Should -Not -Contain 'WhatIf'
        }
    }
}
